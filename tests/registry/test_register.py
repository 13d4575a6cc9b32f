"""``predictor.register`` fills a version from training; ``v.lineage()`` walks it back."""

import pickle
from pathlib import Path

import pytest

from assay.errors import InvalidArgument
from assay.orm import Dataset, Predictor
from assay.registry import Registry
from assay.registry.formats import ModelFormat, base
from tests.registry.conftest import refused

pytestmark = pytest.mark.usefixtures("test_formats")


class SklearnPickle(ModelFormat):
    """Exports the fitted scikit-learn estimator (a stand-in for the real ``pkl``)."""

    id = "skl"
    description = "a test format: the bare fitted estimator, pickled"
    suffix = ".pkl"

    def validate(self, path: Path) -> None:
        with open(path, "rb") as handle:
            pickle.load(handle)

    def can_export(self, predictor: Predictor) -> bool:
        return predictor.library == "sklearn"

    def export(self, predictor: Predictor, path: Path) -> None:
        path.write_bytes(pickle.dumps(predictor.get_model()))

    def load(self, path: Path):
        return pickle.loads(path.read_bytes())


class Refusing(SklearnPickle):
    id = "strict"

    def export(self, predictor: Predictor, path: Path) -> None:
        raise InvalidArgument("format 'strict' refused the export: outputs differ by 0.5.")


@pytest.fixture(autouse=True)
def exporters(monkeypatch):
    monkeypatch.setitem(base._FORMATS, "skl", SklearnPickle())
    monkeypatch.setitem(base._FORMATS, "strict", Refusing())


def trained() -> Predictor:
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    from assay.mlops import Architecture, Experiment, Input, Pipeline, Stratifier, Target, Trainer

    frame = load_iris(as_frame=True).frame
    scaled = Input(frame, encoders=Input.Encoder(StandardScaler()))
    splitset = Pipeline(scaled, Target(frame, column="target"), Stratifier(size_test=0.2))

    def build(features_shape, label_shape, **hp):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=hp["C"], max_iter=300)

    def train(model, loser, optimizer, train_features, train_label, *evaluation, **hp):
        return model.fit(train_features, train_label.ravel())

    queue = Experiment(
        Architecture("sklearn", "classification_multi", build, train, hyperparameters={"C": [0.5]}),
        Trainer(splitset, permute_count=0),
    )
    queue.run_jobs(progress=False)
    return queue.predictors[0]


@pytest.mark.usefixtures("backend")
def test_register_fills_a_version_from_training():
    predictor = trained()
    v = predictor.register("iris", formats=["skl"], description="# LR", tags="baseline")
    assert (v.model.name, v.version, v.description, v.tags) == ("iris", 1, "# LR", ["baseline"])
    assert v.hyperparameters == {"C": 0.5}
    assert v.predictor_id == predictor.id
    config = v.config
    assert (config["library"], config["analysis_type"]) == ("sklearn", "classification_multi")
    assert config["class_names"] == [0, 1, 2]
    assert config["feature_names"] == [list(predictor.ordered_feature_names[0])]
    assert config["preprocessing"]["label"]["columns"] == ["target"]
    (dataset_id,) = {record["dataset_id"] for record in v.records}
    assert v.records[0]["sha256"] == Dataset.get_by_id(dataset_id).sha256_hexdigest
    assert set(v.performance) == {"train", "test"}
    assert 0.5 < v.performance["test"]["accuracy"] <= 1.0
    model = v.load("skl")
    assert model.get_params()["C"] == 0.5
    again = Predictor.register(predictor.id, "iris", formats=["skl"])
    assert again.version == 2 and len(Registry().models()) == 1


def test_the_lineage_walks_back_to_the_datasets():
    predictor = trained()
    v = predictor.register("iris", formats=["skl"])
    tree = v.lineage()
    kinds = [node.kind for node in walk(tree)]
    assert kinds[:6] == ["ModelVersion", "Predictor", "Job", "Queue", "Algorithm", "Splitset"]
    (job,) = tree.find("Job")
    assert job.details["hyperparameters"] == {"C": 0.5}
    (splitset,) = tree.find("Splitset")
    assert splitset.details["sizes"]["test"]["count"] == 30
    assert splitset.details["fitted_featurecoders"] == [["StandardScaler"]]
    (feature,) = tree.find("Feature")
    assert "with StandardScaler()" in feature.details["preprocessing"][0]
    assert v.config["preprocessing"]["features"][0]["steps"] == feature.details["preprocessing"]
    datasets = tree.find("Dataset")
    assert len(datasets) == 2  # of the Feature and of the Label
    assert {d.details["sha256"] for d in datasets} == {r["sha256"] for r in v.records}
    assert tree.find("Record")[0].details.get("missing") is None
    text = repr(tree)
    assert text.splitlines()[0].startswith(f"ModelVersion {v.id}: model='iris', version=1")
    assert "├── Predictor" in text and "└── Record" in text and "Dataset" in text
    assert tree.to_dict()["sources"][0]["kind"] == "Predictor"
    predictor.delete(cascade=True)  # experiments can go; the version stays, marked
    assert v.lineage().find("Predictor")[0].details == {"missing": True}


def test_a_refused_export_or_format_writes_nothing():
    predictor = trained()
    with refused(InvalidArgument, "format 'strict' refused the export"):
        predictor.register("iris", formats=["skl", "strict"])
    with refused(InvalidArgument, "format 'txt' cannot be exported from a sklearn Predictor"):
        predictor.register("iris", formats=["txt"])
    with refused(InvalidArgument, "format 'nope' is not a known model format"):
        predictor.register("iris", formats=["nope"])
    with refused(InvalidArgument, "formats must be a list of format ids"):
        predictor.register("iris", formats="skl")


def walk(node):
    yield node
    for source in node.sources:
        yield from walk(source)
