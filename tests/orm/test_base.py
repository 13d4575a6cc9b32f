import re
import time

import pandas as pd
import pytest

from assay.errors import InvalidArgument, NotFound
from assay.orm import Dataset, Feature, Label

pytestmark = pytest.mark.usefixtures("backend")


def small_frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0, 1, 0, 1]})


def test_base_columns_and_timestamps():
    dataset = Dataset.Tabular.from_df(small_frame(), name="tiny", description="four rows")
    assert dataset.id >= 1
    assert dataset.name == "tiny" and dataset.description == "four rows"
    assert dataset.is_starred is False
    assert re.fullmatch(r"\d{4}[A-Z][a-z]{2}\d{2}_\d{2}:\d{2}:\d{2}", dataset.created_at())
    assert dataset.created_at() == Dataset.created_at(dataset.id)
    assert dataset.time_created.tzinfo is not None


def test_flip_star_persists_and_updates_time():
    dataset = Dataset.Tabular.from_df(small_frame())
    before = dataset.time_updated
    time.sleep(0.01)
    assert dataset.flip_star().is_starred is True
    assert Dataset.get_by_id(dataset.id).is_starred is True
    assert Dataset.get_by_id(dataset.id).time_updated > before
    Dataset.flip_star(dataset.id)
    assert Dataset.get_by_id(dataset.id).is_starred is False


def test_set_info_by_id_and_on_row():
    dataset = Dataset.Tabular.from_df(small_frame())
    Dataset.set_info(dataset.id, name="renamed")
    assert Dataset.get_by_id(dataset.id).name == "renamed"
    dataset.set_info(description="why it exists")
    fresh = Dataset.get_by_id(dataset.id)
    assert (fresh.name, fresh.description) == ("renamed", "why it exists")
    with pytest.raises(InvalidArgument, match="name must be a str"):
        dataset.set_info(name=3)


def test_set_info_clears_a_description_and_refuses_an_empty_name():
    dataset = Dataset.Tabular.from_df(small_frame(), name="tiny", description="four rows")
    dataset.set_info(description="")
    fresh = Dataset.get_by_id(dataset.id)
    assert (fresh.name, fresh.description) == ("tiny", None) and dataset.description is None
    for empty in ("", "  "):
        with pytest.raises(InvalidArgument, match="name must be a non-empty str"):
            dataset.set_info(name=empty, description="not written either")
    fresh = Dataset.get_by_id(dataset.id)
    assert (fresh.name, fresh.description) == ("tiny", None)


def test_get_by_name_is_the_latest_version_or_the_newest_row():
    first = Dataset.Tabular.from_df(small_frame(), name="tiny")
    second = Dataset.Tabular.from_df(small_frame().iloc[:3], name="tiny")
    assert (first.version, second.version) == (1, 2)
    Dataset.Tabular.from_df(small_frame().iloc[:2]).set_info(name="tiny")  # named, no version
    assert Dataset.get_by_name("tiny").id == second.id
    assert Dataset.Tabular.get_by_name("tiny").id == second.id
    older = Feature.from_dataset(first.id, include_columns=["a"]).set_info(name="x")
    newer = Feature.from_dataset(first.id, include_columns=["b"]).set_info(name="x")
    assert Feature.get_by_name("x").id == newer.id != older.id
    with pytest.raises(NotFound, match="Sequence named 'tiny' does not exist"):
        Dataset.Sequence.get_by_name("tiny")
    with pytest.raises(NotFound, match="Label named 'x' does not exist"):
        Label.get_by_name("x")
    with pytest.raises(InvalidArgument, match="name must be a str; got int"):
        Dataset.get_by_name(1)


def test_id_method_pattern_works_both_ways():
    dataset = Dataset.Tabular.from_df(small_frame())
    feature = Feature.from_dataset(dataset.id, include_columns=["a"])
    pd.testing.assert_frame_equal(Dataset.to_df(dataset.id), dataset.to_df())
    assert (Feature.to_arr(feature.id) == feature.to_arr()).all()
    assert Feature.get_dtypes(feature.id) == {"a": "float64"}


def test_get_by_id_errors():
    with pytest.raises(NotFound, match="Dataset with id 999 does not exist"):
        Dataset.get_by_id(999)
    with pytest.raises(InvalidArgument, match="id must be an int"):
        Dataset.get_by_id("1")


def test_back_references_are_plural_child_names():
    dataset = Dataset.Tabular.from_df(small_frame())
    feature = Feature.from_dataset(dataset.id, include_columns=["a"])
    label = Label.from_dataset(dataset.id, columns=["b"])
    assert [f.id for f in dataset.features] == [feature.id]
    assert [x.id for x in dataset.labels] == [label.id]
    assert feature.dataset.id == dataset.id and label.dataset.id == dataset.id


def test_names_longer_than_their_column_are_refused():
    dataset = Dataset.Tabular.from_df(small_frame(), name="short")
    too_long = "n" * 256
    with pytest.raises(InvalidArgument, match="name must be at most 255 characters; got 256"):
        dataset.set_info(name=too_long)
    assert Dataset.get_by_id(dataset.id).name == "short"
    with pytest.raises(InvalidArgument, match="name must be at most 255 characters"):
        Dataset.Tabular.from_df(small_frame(), name=too_long)
    with pytest.raises(InvalidArgument, match="name must be at most 255 characters"):
        Feature.from_dataset(dataset.id, include_columns=["a"]).set_info(name=too_long)
    with pytest.raises(InvalidArgument, match="name must be at most 255 characters"):
        Label(dataset_id=dataset.id, name=too_long)  # every table, however it is built
    assert [d.id for d in Dataset.select_where()] == [dataset.id]
    assert dataset.set_info(name="n" * 255).name == "n" * 255
