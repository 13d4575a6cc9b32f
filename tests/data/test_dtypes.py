"""retype's rule: a conversion may round a float to a narrower float, never change a value."""

import numpy as np
import pandas as pd
import pytest

from assay.data.dtypes import check_lossless
from assay.errors import InvalidArgument


def convert(values, dtype):
    with np.errstate(all="ignore"):
        return values.astype(dtype)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (np.array([-1], dtype=np.int64), np.uint64),  # wraps to 2**64-1 and back to -1
        (np.array([2**64 - 1], dtype=np.uint64), np.int64),
        (np.array([2.0**63]), np.int64),
        (np.array([np.inf]), np.int64),
        (np.array([-0.5]), np.uint8),
        (np.array([70000]), np.float16),
        (np.array([0.5]), np.bool_),
    ],
)
def test_changed_values_are_refused(values, dtype):
    with pytest.raises(InvalidArgument, match="without changing its values"):
        check_lossless(values, convert(values, dtype), "the array", dtype)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (np.array([0.1, np.nan, -np.inf]), np.float32),  # rounding, NaN and inf are kept
        (np.array([2**53 + 1]), np.float64),  # an int rounded to the nearest float
        (np.array([-128, 127]), np.int8),
        (np.array([True, False]), np.uint8),
        (np.array([1.0, 0.0]), np.bool_),
    ],
)
def test_values_that_fit_are_kept(values, dtype):
    check_lossless(values, convert(values, dtype), "the array", dtype)


def test_nullable_columns_keep_missing_values():
    column = pd.Series([1.0, np.nan])
    check_lossless(column, column.astype("Int64"), "column 'a'", "Int64")
    with pytest.raises(InvalidArgument, match=r"column 'a' to Int8 .* 300 would become"):
        wrapped = pd.Series([44, None], dtype="Int8")  # what a wrapping conversion would give
        check_lossless(pd.Series([300, None], dtype="Int64"), wrapped, "column 'a'", "Int8")
