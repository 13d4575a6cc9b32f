import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from assay.errors import InvalidArgument
from assay.preprocess.filters import (
    check_no_overlap,
    describe_match,
    dtype_matches,
    leftovers,
    match_columns,
)

COLUMNS = ["a", "b", "c", "d", "e"]
DTYPES = {"a": "float64", "b": "float32", "c": "int64", "d": "object", "e": "str"}


def test_dtype_names_kinds_and_numpy_types():
    assert match_columns(COLUMNS, DTYPES, filter_dtypes=[np.floating]) == ["a", "b"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes="float") == ["a", "b"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes=float) == ["a", "b"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes="float64") == ["a"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes=np.float32) == ["b"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes="int") == ["c"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes=["object"]) == ["d", "e"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes="category") == ["d", "e"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes="number") == ["a", "b", "c"]
    assert dtype_matches("category", "str") and not dtype_matches("int64", "str")


def test_dtypes_of_a_real_frame():
    frame = load_breast_cancer(as_frame=True).frame
    frame["diagnosis"] = np.where(frame["target"] == 1, "benign", "malignant")
    dtypes = {column: str(dtype) for column, dtype in frame.dtypes.items()}
    columns = list(frame.columns)
    floats = match_columns(columns, dtypes, filter_dtypes=np.floating)
    assert len(floats) == 30 and "target" not in floats and "diagnosis" not in floats
    assert match_columns(columns, dtypes, filter_dtypes="str") == ["diagnosis"]
    assert match_columns(columns, dtypes, filter_dtypes="int") == ["target"]


def test_include_false_keeps_the_rest_and_no_filter_keeps_every_unclaimed_column():
    assert match_columns(COLUMNS, DTYPES, include=False, filter_dtypes=["object"]) == [
        "a",
        "b",
        "c",
    ]
    assert match_columns(COLUMNS, DTYPES, include=False, filter_columns="a") == ["b", "c", "d", "e"]
    assert match_columns(COLUMNS, DTYPES) == COLUMNS
    assert match_columns(COLUMNS, DTYPES, include=False) == COLUMNS
    assert match_columns(COLUMNS, DTYPES, include=False, claimed={"a", "b"}) == ["c", "d", "e"]


def test_dtype_and_column_filters_together():
    got = match_columns(COLUMNS, DTYPES, filter_dtypes="int", filter_columns=["d"])
    assert got == ["c", "d"]


def test_claimed_columns_are_left_to_nobody_else():
    assert match_columns(COLUMNS, DTYPES, filter_dtypes="float", claimed={"a"}) == ["b"]
    with pytest.raises(InvalidArgument, match="matches none"):
        match_columns(COLUMNS, DTYPES, filter_columns=["a"], claimed={"a"})


def test_a_filter_that_matches_nothing():
    with pytest.raises(InvalidArgument, match="matches none"):
        match_columns(COLUMNS, DTYPES, filter_dtypes=["bool"])
    with pytest.raises(InvalidArgument, match="matches none"):
        match_columns(COLUMNS, DTYPES, claimed=set(COLUMNS))


def test_unknown_columns_and_a_column_named_twice():
    with pytest.raises(InvalidArgument, match=r"\['zz'\] are not columns"):
        match_columns(COLUMNS, DTYPES, filter_columns=["zz"])
    with pytest.raises(InvalidArgument, match="already matched by dtypes"):
        match_columns(COLUMNS, DTYPES, filter_dtypes="float", filter_columns=["a"])


def test_overlapping_filters():
    check_no_overlap([["a", "b"], ["c"], []])
    with pytest.raises(InvalidArgument, match="'a' is claimed by preprocessors 0 and 2"):
        check_no_overlap([["a", "b"], ["c"], ["a"]])


def test_verbose_message_names_matches_and_leftovers():
    matched = match_columns(COLUMNS, DTYPES, filter_dtypes="float")
    message = describe_match(
        COLUMNS, DTYPES, matched, filter_dtypes="float", what="FeatureInterpolater"
    )
    assert "FeatureInterpolater" in message and "['a', 'b']" in message
    assert "['c', 'd', 'e']" in message
    rest, rest_dtypes = leftovers(COLUMNS, DTYPES, matched)
    assert rest == ["c", "d", "e"] and rest_dtypes["c"] == "int64"
    everything = describe_match(COLUMNS, DTYPES, COLUMNS)
    assert "no columns are left" in everything


def test_string_columns_of_pandas_frames():
    frame = pd.DataFrame({"x": [1.0, 2.0], "s": ["a", "b"], "k": pd.Categorical(["u", "v"])})
    dtypes = {column: str(dtype) for column, dtype in frame.dtypes.items()}
    assert match_columns(list(frame.columns), dtypes, filter_dtypes="object") == ["s", "k"]
    assert match_columns(list(frame.columns), dtypes, filter_dtypes=np.number) == ["x"]
