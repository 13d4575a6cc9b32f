"""Versions by name: numbering past the highest, and Splitset versions that must differ."""

import pytest
from sklearn.datasets import load_iris

from assay.errors import InvalidArgument
from assay.orm import Dataset, Feature, Label, Splitset
from assay.orm.versioning import next_version, row_version_attributes, version_attributes
from assay.store import transaction


@pytest.fixture
def iris(backend):
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame, name="iris")
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    return frame, feature, Label.from_dataset(dataset.id, columns=["target"])


def test_next_version_is_one_past_the_highest_of_the_name(iris):
    frame, _feature, _label = iris
    with transaction() as db:
        assert next_version(db, Dataset, None) is None
        assert next_version(db, Dataset, "iris") == 2
        assert next_version(db, Dataset, "other") == 1
    second = Dataset.Tabular.from_df(frame.iloc[:100], name="iris")
    third = Dataset.Tabular.from_df(frame.iloc[:50], name="iris")
    second.delete()  # a gap: the next number still follows the highest
    with transaction() as db:
        assert next_version(db, Dataset, "iris", lock=False) == third.version + 1 == 4


def test_identical_attributes_name_the_earlier_version(iris):
    _frame, feature, label = iris
    first = Splitset.make([feature.id], label.id, size_test=0.2, name="pipe")
    attributes = row_version_attributes(Splitset.get_by_id(first.id))
    assert "samples" not in attributes and "version" not in attributes
    assert attributes["size_test"] == 0.2 and attributes["feature_ids"] == [feature.id]
    with transaction() as db, pytest.raises(InvalidArgument, match=r"Splitset .* version 1"):
        next_version(db, Splitset, "pipe", attributes)
    changed = {**attributes, "size_test": 0.3}
    with transaction() as db:
        assert next_version(db, Splitset, "pipe", changed) == 2


def test_version_attributes_leave_out_the_drawn_samples():
    values = {"samples": {}, "sizes": {}, "cache_path": "x", "cache_hot": False, "bin_count": 3}
    assert version_attributes(values) == {"bin_count": 3}
