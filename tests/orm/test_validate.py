"""The argument checks of Splitset.make, each alone: what passes, and what each error names."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from assay.errors import InvalidArgument, NotFound
from assay.orm import Dataset, Feature, Label, Window
from assay.orm.validate import (
    as_python,
    check_count,
    check_features,
    check_label,
    check_sample_count,
    check_stratify_col,
)


@pytest.fixture
def iris(backend):
    dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    return feature, Label.from_dataset(dataset.id, columns=["target"])


def test_check_features_loads_one_id_or_a_list(iris):
    feature, _label = iris
    assert [f.id for f in check_features(feature.id)] == [feature.id]
    assert [f.id for f in check_features(np.int64(feature.id))] == [feature.id]
    assert [f.id for f in check_features((feature.id,))] == [feature.id]
    for bad, match in (([], "non-empty list"), (True, "non-empty list"), ("1", "non-empty")):
        with pytest.raises(InvalidArgument, match=f"feature_ids must be a {match}"):
            check_features(bad)
    with pytest.raises(InvalidArgument, match="feature_ids has duplicates"):
        check_features([feature.id, feature.id])
    with pytest.raises(NotFound):
        check_features([feature.id + 100])


def test_check_count_takes_none_and_ints_from_the_minimum():
    for good in (None, 2, np.int64(5)):
        check_count(good, "fold_count", minimum=2)
    for bad in (1, True, 2.0, "3"):
        with pytest.raises(InvalidArgument, match=r"fold_count must be None or an int >= 2"):
            check_count(bad, "fold_count", minimum=2)


def test_as_python_unwraps_numpy_scalars_only():
    assert type(as_python(np.float32(0.5))) is float and as_python(np.float32(0.5)) == 0.5
    assert type(as_python(np.int64(3))) is int
    assert as_python(None) is None and as_python([1]) == [1]


def test_sample_counts_must_agree(iris):
    feature, label = iris
    assert check_sample_count([feature], label) == 150
    assert check_sample_count([feature], None) == 150
    short = Dataset.Tabular.from_df(load_iris(as_frame=True).frame.iloc[:100])
    other = Label.from_dataset(short.id, columns=["target"])
    with pytest.raises(InvalidArgument, match=f"'Label {other.id}': 100"):
        check_sample_count([feature], other)


def test_a_windowed_feature_takes_no_label(backend):
    series = pd.DataFrame({"value": np.arange(60.0), "target": np.arange(60) % 2})
    dataset = Dataset.Tabular.from_df(series)
    feature = Feature.from_dataset(dataset.id, include_columns=["value"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    assert check_label(label.id, [feature]).id == label.id
    assert check_label(None, [feature]) is None
    Window.from_feature(feature.id, size_window=10, size_shift=5)
    windowed = Feature.get_by_id(feature.id)
    with pytest.raises(InvalidArgument, match="label_id: a Feature with a Window"):
        check_label(label.id, [windowed])


def test_the_stratification_column_is_a_tabular_column_without_a_label(iris):
    feature, label = iris
    check_stratify_col(None, label, feature)
    check_stratify_col("petal width (cm)", None, feature)
    with pytest.raises(InvalidArgument, match=f"this one has Label {label.id}"):
        check_stratify_col("petal width (cm)", label, feature)
    with pytest.raises(InvalidArgument, match="must be a column of Feature"):
        check_stratify_col("target", None, feature)
    images = Dataset.Sequence.from_numpy(np.zeros((10, 4, 3)))
    sequence = Feature.from_dataset(images.id)
    with pytest.raises(InvalidArgument, match="needs a Tabular Feature"):
        check_stratify_col(sequence.columns[0], None, sequence)
