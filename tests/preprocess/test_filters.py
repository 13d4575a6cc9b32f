import numpy as np
import pytest

from assay.errors import InvalidArgument
from assay.preprocess.filters import check_no_overlap, match_columns

COLUMNS = ["a", "b", "c", "d"]
DTYPES = {"a": "float64", "b": "float32", "c": "int64", "d": "object"}


def test_dtype_and_column_filters():
    assert match_columns(COLUMNS, DTYPES, filter_dtypes=[np.floating]) == ["a", "b"]
    assert match_columns(COLUMNS, DTYPES, filter_dtypes="int") == ["c"]
    assert match_columns(COLUMNS, DTYPES, filter_columns=["d"]) == ["d"]
    assert match_columns(COLUMNS, DTYPES, include=False, filter_dtypes=["object"]) == [
        "a",
        "b",
        "c",
    ]


def test_claimed_columns_are_left_to_nobody_else():
    assert match_columns(COLUMNS, DTYPES, include=False, claimed={"a", "b"}) == ["c", "d"]
    with pytest.raises(InvalidArgument, match="matches none"):
        match_columns(COLUMNS, DTYPES, filter_columns=["a"], claimed={"a"})


def test_bad_filters():
    with pytest.raises(InvalidArgument, match="not columns"):
        match_columns(COLUMNS, DTYPES, filter_columns=["zz"])
    with pytest.raises(InvalidArgument, match="matches none"):
        match_columns(COLUMNS, DTYPES, filter_dtypes=["bool"])
    with pytest.raises(InvalidArgument, match="'a' is claimed by preprocessors 0 and 1"):
        check_no_overlap([["a", "b"], ["a"]])
