"""The Splitset-making service, called directly: rows written, strata gathered, keys handed out."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from assay.orm import Dataset, Feature, Label, Splitset, Window
from assay.store import splits, transaction


@pytest.fixture
def iris(backend):
    dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    return feature, Label.from_dataset(dataset.id, columns=["target"])


def test_make_splits_writes_the_splitset_its_features_and_folds(iris):
    feature, label = iris
    settings = splits.SplitSettings(
        size_test=0.2, size_validation=0.2, bin_count=None, fold_count=3, stratify_col=None
    )
    made = splits.make_splits([feature], label, 150, settings, name="p", description="d")
    stored = Splitset.get_by_id(made.id)
    assert (stored.name, stored.description, stored.version) == ("p", "d", 1)
    assert [f.id for f in stored.features] == [feature.id] and stored.label.id == label.id
    assert stored.key_train == "folds_train_combined" and stored.supervision == "supervised"
    assert sum(size["count"] for size in stored.sizes.values()) == 150
    assert [fold.idx for fold in stored.folds] == [0, 1, 2]
    for fold in stored.folds:
        assert fold.samples["test"] == stored.samples["test"]
        assert fold.samples["validation"] == stored.samples["validation"]
        rows = fold.samples["folds_train_combined"] + fold.samples["fold_validation"]
        assert sorted(rows) == stored.samples["train"]


def test_a_windowed_column_is_stratified_by_its_first_timestep(backend):
    phase = np.repeat([0, 1, 2], 40)
    frame = pd.DataFrame({"value": np.arange(120.0), "phase": phase})
    feature = Feature.from_dataset(Dataset.Tabular.from_df(frame).id)
    window = Window.from_feature(feature.id, size_window=10, size_shift=5)
    feature = Feature.get_by_id(feature.id)
    strata = splits.stratify_on(feature, None, "phase", bin_count=None)
    np.testing.assert_array_equal(strata, phase[window.unshifted_indices()[:, 0]])
    assert splits.stratify_on(feature, None, None, bin_count=None) is None


def test_inference_keys_follow_the_highest_even_after_a_deletion(iris):
    feature, label = iris
    predictor = SimpleNamespace(id=7)  # only its id is written: the link is checked on write

    def make() -> Splitset:
        return splits.make_inference([feature], label, 150, predictor, name=None, description=None)

    first, second = make(), make()
    assert [list(s.samples) for s in (first, second)] == [["infer_0"], ["infer_1"]]
    assert second.sizes == {"infer_1": {"percent": 1.0, "count": 150}}
    first.delete()
    assert list(make().samples) == ["infer_2"]
    with transaction() as db:
        assert splits.next_inference_key(db, predictor_id=8) == "infer_0"
