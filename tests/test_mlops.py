"""The high-level API: what it accepts as data, what it builds, and what it refuses."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image as PILImage
from sklearn.datasets import load_digits, load_iris
from sklearn.preprocessing import StandardScaler

from assay.errors import InvalidArgument
from assay.mlops import Architecture, Experiment, Input, Pipeline, Stratifier, Target, Trainer
from assay.orm import Dataset, Queue, Splitset


def test_a_shared_dataset_is_registered_once_and_the_target_left_out():
    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(Input(frame), Target(frame, column="target"), Stratifier(size_test=0.2))
    feature = splitset.features[0]
    assert "target" not in feature.columns and len(feature.columns) == 4
    assert feature.dataset_id == splitset.label.dataset_id
    assert len(Dataset.select_where()) == 1


@pytest.mark.parametrize("form", ["dataset", "id", "csv", "parquet", "npy2d"])
def test_tabular_data_in_any_form(tmp_path, form):
    frame = load_iris(as_frame=True).frame
    value = {
        "dataset": lambda: Dataset.Tabular.from_df(frame),
        "id": lambda: Dataset.Tabular.from_df(frame).id,
        "csv": lambda: (frame.to_csv(tmp_path / "iris.csv", index=False), tmp_path / "iris.csv")[1],
        "parquet": lambda: (
            frame.to_parquet(tmp_path / "iris.parquet"),
            str(tmp_path / "iris.parquet"),
        )[1],
        "npy2d": lambda: (np.save(tmp_path / "iris.npy", frame.to_numpy()), tmp_path / "iris.npy")[
            1
        ],
    }[form]()
    splitset = Pipeline(Input(value), stratifier=Stratifier(size_test=0.2))
    assert splitset.features[0].dataset.sample_count() == 150
    assert splitset.supervision == "unsupervised"


def test_arrays_and_image_folders(tmp_path):
    digits = load_digits()
    folder = tmp_path / "images"  # not tmp_path itself, which holds the metastore
    folder.mkdir()
    for at in range(6):
        PILImage.fromarray((digits.images[at] * 15).astype("uint8")).save(folder / f"{at}.png")
    from_folder = Pipeline(Input(folder), stratifier=Stratifier())
    assert from_folder.features[0].dataset.typ == "image"
    sequences = Pipeline(Input(digits.images), stratifier=Stratifier(size_test=0.2))
    assert sequences.features[0].dataset.typ == "sequence"
    images = Pipeline(Input(digits.images[:, None]), stratifier=Stratifier(size_test=0.2))
    assert images.features[0].dataset.typ == "image"
    with pytest.raises(InvalidArgument, match="2D, 3D or 4D"):
        Pipeline(Input(np.zeros(5)))
    with pytest.raises(InvalidArgument, match="inputs"):
        Pipeline("not an input")


def test_an_experiment_builds_the_algorithm_search_and_queue(backend):
    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(
        Input(frame, encoders=Input.Encoder(StandardScaler())),
        Target(frame, column="target"),
        Stratifier(size_test=0.2),
    )

    def build(features_shape, label_shape, **hp):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=hp["C"])

    def train(
        model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
    ):
        return model.fit(train_features, train_label.ravel())

    architecture = Architecture(
        "sklearn", "classification_multi", build, train, hyperparameters={"C": [0.1, 1, 10, 100]}
    )
    queue = Experiment(
        architecture, Trainer(splitset, repeat_count=2, permute_count=0, search_count=2)
    )
    assert isinstance(queue, Queue) and queue.total_runs == 4
    assert len(queue.hyperparamset.hyperparamcombos) == 2
    with pytest.raises(InvalidArgument, match="search_count and search_percent"):
        Experiment(architecture, Trainer(splitset, search_count=1, search_percent=0.5))
    with pytest.raises(InvalidArgument, match=r"trainer\.pipeline"):
        Experiment(architecture, Trainer("pipeline"))
    assert len(Queue.select_where()) == 1
    assert isinstance(Splitset.get_by_id(splitset.id), Splitset)


def test_frames_keep_their_own_columns():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0, 1, 0, 1]})
    splitset = Pipeline(Input(frame, include_columns=["a"]), Target(frame, column="b"))
    assert splitset.features[0].columns == ["a"]


def _rows_in_every_table() -> dict[str, int]:
    from sqlalchemy import func, select

    from assay.orm.base import Base
    from assay.store import reading

    with reading() as db:
        return {
            table.name: db.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def _logistic_architecture(analysis_type: str) -> Architecture:
    def build(features_shape, label_shape, **hp):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression()

    def train(
        model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
    ):
        return model.fit(train_features, train_label.ravel())

    return Architecture("sklearn", analysis_type, build, train)


def test_a_pipeline_that_fails_writes_nothing(backend):
    frame = load_iris(as_frame=True).frame
    before = _rows_in_every_table()
    with pytest.raises(InvalidArgument, match="fold"):  # 120 train samples cannot make 100 folds
        Pipeline(
            Input(frame, encoders=Input.Encoder(StandardScaler())),
            Target(frame, column="target"),
            Stratifier(size_test=0.2, fold_count=100),
        )
    assert _rows_in_every_table() == before
    assert not any(_rows_in_every_table().values())


def test_an_experiment_that_fails_leaves_no_algorithm_behind(backend):
    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(Input(frame), Target(frame, column="target"), Stratifier(size_test=0.2))
    before = _rows_in_every_table()
    # Three classes cannot be a binary classification: the Queue refuses after the Algorithm.
    with pytest.raises(InvalidArgument, match="classification_binary"):
        Experiment(_logistic_architecture("classification_binary"), Trainer(splitset))
    assert _rows_in_every_table() == before
    queue = Experiment(_logistic_architecture("classification_multi"), Trainer(splitset))
    assert queue.total_runs == 1 and _rows_in_every_table()["algorithm"] == 1


def test_inference_on_the_same_rows_twice_registers_them_once(backend):
    from assay.mlops import Inference

    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(Input(frame), Target(frame, column="target"), Stratifier(size_test=0.2))
    queue = Experiment(_logistic_architecture("classification_multi"), Trainer(splitset))
    queue.run_jobs(progress=False)
    predictor = queue.predictors[0]
    new_rows = frame.drop(columns="target").sample(7, random_state=0)
    first = Inference(predictor, new_rows.copy())
    datasets = len(Dataset.select_where())
    second = Inference(predictor, new_rows.copy())
    assert len(Dataset.select_where()) == datasets
    assert first.splitset.features[0].dataset_id == second.splitset.features[0].dataset_id
    key_first, key_second = first.splitset.inference_key(), second.splitset.inference_key()
    np.testing.assert_array_equal(first.predictions[key_first], second.predictions[key_second])


def test_a_failed_inference_writes_nothing(backend):
    from assay.mlops import Inference

    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(Input(frame), Target(frame, column="target"), Stratifier(size_test=0.2))
    queue = Experiment(_logistic_architecture("classification_multi"), Trainer(splitset))
    queue.run_jobs(progress=False)
    before = _rows_in_every_table()
    new_rows = frame.drop(columns="target").head(5)
    with pytest.raises(InvalidArgument, match="target_dataset"):
        Inference(queue.predictors[0], new_rows, target_dataset=np.zeros(3))
    assert _rows_in_every_table() == before


def test_a_failed_inference_leaves_no_cache_folder(monkeypatch, metastore):
    from assay.config import cache_dir
    from assay.mlops import Inference
    from assay.orm import Splitset

    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(Input(frame), Target(frame, column="target"), Stratifier(size_test=0.2))
    queue = Experiment(_logistic_architecture("classification_multi"), Trainer(splitset))
    queue.run_jobs(progress=False)
    folders = set(cache_dir().iterdir())

    def failing_infer(self):
        self.split_arrays(self.inference_key())  # the samples are cached, then it fails
        raise RuntimeError("the model crashed")

    monkeypatch.setattr(Splitset, "infer", failing_infer)
    with pytest.raises(RuntimeError, match="crashed"):
        Inference(queue.predictors[0], frame.drop(columns="target").head(5))
    assert set(cache_dir().iterdir()) == folders


def test_trainer_refit_trains_the_best_combination_on_all_training_samples(backend):
    def build(features_shape, label_shape, **hp):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=hp["C"], max_iter=500)

    def train(
        model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
    ):
        return model.fit(train_features, train_label.ravel())

    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(
        Input(frame, encoders=Input.Encoder(StandardScaler())),
        Target(frame, column="target"),
        Stratifier(size_test=0.2, fold_count=3),
    )
    architecture = Architecture(
        "sklearn", "classification_multi", build, train, hyperparameters={"C": [0.001, 1.0]}
    )
    queue = Experiment(architecture, Trainer(splitset, permute_count=0, refit=True))
    assert queue.refit and queue.total_runs == 6
    queue.run_jobs(progress=False)
    queue = Queue.get_by_id(queue.id)
    assert queue.total_runs == queue.runs_completed == 7  # the 6 fold runs and the refit
    best = queue.best_predictor()
    assert best.job.fold_id is None and best.get_hyperparameters(as_pandas=False) == {"C": 1.0}
    prediction = best.predictions[0]
    assert set(prediction.metrics) == {"train", "test"}
    assert len(prediction.predictions["train"]) == len(splitset.samples["train"]) == 120
    queue.run_jobs(progress=False)  # nothing left to do: no second refit
    assert Queue.get_by_id(queue.id).total_runs == 7 and len(queue.predictors) == 7
    unfolded = Pipeline(Input(frame), Target(frame, column="target"), Stratifier(size_test=0.2))
    with pytest.raises(InvalidArgument, match=r"refit=True.*no folds"):
        Experiment(architecture, Trainer(unfolded, refit=True))


def test_an_architecture_with_a_search_makes_a_search_queue(backend):
    from assay.search import Search

    def build(features_shape, label_shape, **hp):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=hp["C"], max_iter=500)

    def train(
        model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
    ):
        return model.fit(train_features, train_label.ravel())

    frame = load_iris(as_frame=True).frame
    splitset = Pipeline(
        Input(frame, encoders=Input.Encoder(StandardScaler())),
        Target(frame, column="target"),
        Stratifier(size_test=0.2, fold_count=2),
    )
    search = Search(
        "tpe",
        {"C": {"type": "float", "low": 1e-3, "high": 10.0, "scale": "log"}},
        metric="accuracy",
        goal="maximize",
        n_trials=4,
        seed=0,
    )
    before = _rows_in_every_table()
    with pytest.raises(InvalidArgument, match=r"hyperparameters .* and architecture\.search"):
        Experiment(
            Architecture(
                "sklearn",
                "classification_multi",
                build,
                train,
                hyperparameters={"C": [1.0]},
                search=search,
            ),
            Trainer(splitset),
        )
    with pytest.raises(InvalidArgument, match="search_count"):
        Experiment(
            Architecture("sklearn", "classification_multi", build, train, search=search),
            Trainer(splitset, search_count=2),
        )
    assert _rows_in_every_table() == before
    architecture = Architecture("sklearn", "classification_multi", build, train, search=search)
    queue = Experiment(architecture, Trainer(splitset, permute_count=0, refit=True))
    queue.run_jobs(progress=False)
    trials = queue.trials()
    assert len(trials) == 4 and {t.status for t in trials} == {"complete"}
    best = max(trials, key=lambda trial: trial.score)
    refit = queue.best_predictor()
    assert refit.job.fold_id is None and refit.job.hyperparamcombo_id == best.hyperparamcombo_id
