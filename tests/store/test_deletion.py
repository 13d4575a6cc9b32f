"""delete(): what goes with a row, when it refuses, and the files it removes after the commit."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler
from sqlalchemy import func, select

from assay.errors import InvalidArgument, NotFound, StillNeeded
from assay.orm import (
    Algorithm,
    Dataset,
    Feature,
    FeatureCoder,
    FeatureInterpolater,
    FeatureShaper,
    Hyperparamset,
    Label,
    LabelCoder,
    LabelInterpolater,
    Prediction,
    Predictor,
    Queue,
    Run,
    Splitset,
    Window,
)
from assay.orm.base import Base
from assay.store import reading, transaction
from assay.store.artifacts import artifacts_dir


def build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=hp.get("C", 1.0), max_iter=200)


def train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def experiment(name="iris", fold_count=2):
    """Iris through a coder, folds, a trained Queue and one inference: most tables filled."""
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame, name=name)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, fold_count=fold_count)
    algorithm = Algorithm.make("sklearn", "classification_multi", build, train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"C": [1.0]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, permute_count=0
    )
    queue.run_jobs(progress=False)
    predictor = queue.predictors[0]
    inference = Splitset.make([feature.id], predictor_id=predictor.id)
    inference.infer()
    return SimpleNamespace(
        dataset=dataset,
        splitset=Splitset.get_by_id(splitset.id),
        queue=queue,
        predictor=predictor,
        inference=Splitset.get_by_id(inference.id),
    )


def counts() -> dict[str, int]:
    """Rows in every table of the metastore."""
    with reading() as db:
        return {
            table.name: db.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def orphans() -> list[str]:
    """Rows that point at a row that is gone: every foreign key, and the links without one."""
    found = []
    with reading() as db:
        for table in Base.metadata.sorted_tables:
            for key in table.foreign_keys:
                column, parent = table.c[key.parent.name], key.column.table
                missing = select(func.count()).where(
                    column.is_not(None), column.not_in(select(parent.c.id))
                )
                if db.scalar(missing.select_from(table)):
                    found.append(f"{table.name}.{column.name}")
        predictors = set(db.scalars(select(Predictor.id)))
        features = set(db.scalars(select(Feature.id)))
        for splitset in db.scalars(select(Splitset)):
            if splitset.predictor_id is not None and splitset.predictor_id not in predictors:
                found.append(f"splitset {splitset.id}.predictor_id")
            if not set(splitset.feature_ids) <= features:
                found.append(f"splitset {splitset.id}.feature_ids")
    return found


def cache_folders(*splitsets) -> list[bool]:
    return [Path(s.cache_path).exists() for s in splitsets]


@pytest.fixture
def tiny_inline_limit(monkeypatch):
    """Datasets of a few kB become artifact files (SQLite keeps them beside the metastore)."""
    monkeypatch.setenv("ASSAY_INLINE_LIMIT_MB", "0.001")


def artifact_files() -> list[str]:
    return sorted(p.name for p in artifacts_dir().iterdir() if not p.name.startswith("."))


# -- refusing ------------------------------------------------------------------------------


def test_a_dataset_with_models_built_on_it_is_refused_and_left_as_it_was(backend):
    built = experiment()
    before = counts()
    assert before["predictor"] == 2 and before["prediction"] == 3 and before["fold"] == 2
    with pytest.raises(StillNeeded, match="Dataset") as refused:
        Dataset.delete(built.dataset.id)
    message = str(refused.value)
    for needed in ("1 Feature", "1 Label", "2 Splitset", "1 Queue", "2 Predictor", "3 Prediction"):
        assert needed in message
    assert "cascade=True" in message and "Nothing was deleted" in message
    assert counts() == before
    assert cache_folders(built.splitset, built.inference) == [True, True]
    for refused_row in (
        built.splitset,
        built.queue,
        built.dataset.features[0],
        built.dataset.labels[0],
    ):
        with pytest.raises(StillNeeded):
            refused_row.delete()
    assert counts() == before
    with pytest.raises(InvalidArgument, match="cascade must be True or False"):
        built.dataset.delete(cascade="yes")


def test_cascade_deletes_everything_built_on_a_dataset_and_its_cache(backend):
    built = experiment()
    deleted = built.dataset.delete(cascade=True)
    assert deleted["Dataset"] == 1 and deleted["Splitset"] == 2 and deleted["Predictor"] == 2
    left = {table: count for table, count in counts().items() if count}
    # An Algorithm and its Hyperparamset are not built on a Dataset; they stay, unused.
    assert left == {"algorithm": 1, "hyperparamset": 1, "hyperparamcombo": 1}
    assert orphans() == []
    assert cache_folders(built.splitset, built.inference) == [False, False]
    with pytest.raises(NotFound):
        Dataset.get_by_id(built.dataset.id)
    with pytest.raises(NotFound):
        built.dataset.delete()
    assert Hyperparamset.delete(built.queue.hyperparamset_id) == {
        "Hyperparamset": 1,
        "Hyperparamcombo": 1,
    }
    assert Algorithm.delete(built.queue.algorithm_id) == {"Algorithm": 1}
    assert not any(counts().values())


def test_a_queue_and_its_predictors_go_and_the_splitset_stays(backend):
    built = experiment()
    with pytest.raises(StillNeeded, match="2 Predictor"):
        built.queue.delete()
    deleted = Queue.delete(built.queue.id, cascade=True)
    assert deleted["Queue"] == 1 and deleted["Job"] == 2 and deleted["Run"] == 2
    assert deleted["Splitset"] == 1 and deleted["Prediction"] == 3  # the built.inference one too
    assert orphans() == []
    assert cache_folders(built.splitset, built.inference) == [True, False]
    assert counts()["queue"] == 0 and counts()["splitset"] == 1 and counts()["fold"] == 2
    # A Splitset with nothing built on it goes without a flag, with its Folds and its cache.
    assert Splitset.delete(built.splitset.id) == {"Splitset": 1, "Fold": 2, "SplitsetFeature": 1}
    assert cache_folders(built.splitset) == [False]
    assert orphans() == []


# -- leaves and parts ------------------------------------------------------------------------


def test_a_predictor_deleted_alone_sends_its_run_back_to_the_queue(backend):
    built = experiment(fold_count=None)
    with pytest.raises(StillNeeded, match="1 Splitset"):  # its built.inference Splitset
        built.predictor.delete()
    inference_prediction = Prediction.select_where(Prediction.splitset_id == built.inference.id)[0]
    assert Prediction.delete(inference_prediction.id) == {"Prediction": 1}
    assert Splitset.delete(built.inference.id) == {"Splitset": 1, "SplitsetFeature": 1}
    assert cache_folders(built.inference) == [False]
    # Now only its own Prediction (of its training samples) is part of it.
    assert built.predictor.delete() == {"Predictor": 1, "Prediction": 1}
    run = Run.get_by_id(built.queue.runs[0].id)
    assert run.status == "queued" and run.pid is None and run.time_ended is None
    assert Queue.get_by_id(built.queue.id).runs_completed == 0
    built.queue.run_jobs(progress=False)
    assert len(built.queue.predictors) == 1 and Queue.get_by_id(built.queue.id).runs_completed == 1
    assert orphans() == []


def test_a_feature_in_no_splitset_goes_with_its_preprocessing():
    frame = pd.DataFrame(
        {"a": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0], "b": [1.0, 2.0, 3.0, np.nan, 5.0, 6.0]}
    )
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id)
    FeatureInterpolater.from_feature(feature.id, columns=["a"], verbose=False)
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    Window.from_feature(feature.id, size_window=2, size_shift=1)
    FeatureShaper.from_feature(feature.id, reshape_indices=(0, 1, 2))
    label = Label.from_dataset(dataset.id, columns=["b"])
    LabelInterpolater.from_label(label.id)
    LabelCoder.from_label(label.id, StandardScaler())
    assert Feature.delete(feature.id) == {
        "Feature": 1,
        "FeatureCoder": 1,
        "FeatureInterpolater": 1,
        "FeatureShaper": 1,
        "Window": 1,
    }
    assert label.delete() == {"Label": 1, "LabelCoder": 1, "LabelInterpolater": 1}
    assert dataset.delete() == {"Dataset": 1}
    assert not any(counts().values())


def test_a_coder_fitted_into_a_splitset_needs_cascade_and_the_rest_are_renumbered(backend):
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    first = FeatureCoder.from_feature(
        feature.id, StandardScaler(), columns=["sepal length (cm)"], verbose=False
    )
    second = FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    assert (first.idx, second.idx) == (0, 1)
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2).cache_samples()
    with pytest.raises(StillNeeded, match="1 Splitset"):
        FeatureCoder.delete(first.id)
    assert first.delete(cascade=True) == {"FeatureCoder": 1, "Splitset": 1, "SplitsetFeature": 1}
    assert [coder.idx for coder in feature.featurecoders] == [0]
    assert cache_folders(splitset) == [False]
    third = FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    assert third.idx == 1
    assert orphans() == []


def test_inference_keys_stay_unique_after_a_delete():
    built = experiment(fold_count=None)
    second = Splitset.make(built.inference.feature_ids, predictor_id=built.predictor.id)
    assert (built.inference.inference_key(), second.inference_key()) == ("infer_0", "infer_1")
    built.inference.delete(cascade=True)
    third = Splitset.make(built.inference.feature_ids, predictor_id=built.predictor.id)
    assert third.inference_key() == "infer_2"


# -- files ---------------------------------------------------------------------------------


def test_a_rollback_leaves_the_rows_and_the_files(tiny_inline_limit):
    built = experiment(fold_count=None)
    assert built.dataset.artifact is not None and artifact_files() == [built.dataset.artifact]
    before = counts()
    with pytest.raises(RuntimeError, match="changed my mind"), transaction():
        built.dataset.delete(cascade=True)
        assert counts()["dataset"] == 0  # gone inside the transaction...
        raise RuntimeError("changed my mind")
    assert counts() == before  # ...and back, with every file it points to
    assert artifact_files() == [built.dataset.artifact]
    assert cache_folders(built.splitset, built.inference) == [True, True]
    assert Dataset.get_by_id(built.dataset.id).to_df().shape == (150, 5)
    # Inside a transaction that commits, the files go once it has committed.
    with transaction():
        built.dataset.delete(cascade=True)
        assert artifact_files() == [built.dataset.artifact]
    assert artifact_files() == []
    assert cache_folders(built.splitset, built.inference) == [False, False]


def test_a_shared_artifact_file_stays_while_another_dataset_references_it(tiny_inline_limit):
    frame = load_iris(as_frame=True).frame
    first = Dataset.Tabular.from_df(frame, name="first")
    second = Dataset.Tabular.from_df(frame, name="second")
    assert first.id != second.id and first.artifact == second.artifact is not None
    assert first.delete() == {"Dataset": 1}
    assert artifact_files() == [second.artifact]
    assert Dataset.get_by_id(second.id).to_df().shape == (150, 5)
    second.delete()
    assert artifact_files() == []
