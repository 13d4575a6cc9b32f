"""Checks on column names and dtypes shared by every kind of Dataset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument


def dtype_name(dtype: Any) -> str:
    """A dtype as the string the metastore records, e.g. ``'float64'``."""
    return str(pd.api.types.pandas_dtype(dtype)) if not isinstance(dtype, str) else dtype


def check_dtype(value: Any, argument: str) -> np.dtype | pd.api.extensions.ExtensionDtype:
    """Parse ``value`` as a numpy/pandas dtype, or explain that it is not one."""
    try:
        return pd.api.types.pandas_dtype(value)
    except TypeError as exc:
        raise InvalidArgument(
            f"{argument} must be a dtype such as np.float32 or 'int64'; got {value!r}."
        ) from exc


def check_names(names: Any, argument: str, expected_count: int | None = None) -> list[str]:
    """Validate a list of column names: strings, unique, and as many as the data has columns."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise InvalidArgument(
            f"{argument} must be a list of str; got {type(names).__name__} {names!r}."
        )
    names = list(names)
    not_str = [name for name in names if not isinstance(name, str)]
    if not_str:
        raise InvalidArgument(f"{argument} must hold only str names; got {not_str!r}.")
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise InvalidArgument(f"{argument} names a column more than once: {duplicated!r}.")
    if expected_count is not None and len(names) != expected_count:
        raise InvalidArgument(
            f"{argument} must name every column: the data has {expected_count} columns; "
            f"got {len(names)} names."
        )
    return names


def check_known_columns(requested: Any, known: Sequence[str], argument: str) -> list[str]:
    """Validate that ``requested`` names existing columns, each once."""
    names = check_names(requested, argument)
    if not names:
        raise InvalidArgument(f"{argument} must name at least one column; got an empty list.")
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidArgument(
            f"{argument} names columns that do not exist: {unknown!r}; the columns are "
            f"{list(known)!r}."
        )
    return names


def check_samples(samples: Any, count: int, argument: str = "samples") -> list[int] | None:
    """Validate sample positions (0-based) against the number of samples."""
    if samples is None:
        return None
    if isinstance(samples, (str, bytes)) or not hasattr(samples, "__iter__"):
        raise InvalidArgument(f"{argument} must be a list of int; got {samples!r}.")
    positions = [int(s) for s in samples if not isinstance(s, bool)]
    if len(positions) != len(list(samples)) or any(
        not isinstance(s, (int, np.integer)) for s in samples
    ):
        raise InvalidArgument(f"{argument} must be a list of int; got {samples!r}.")
    bad = [s for s in positions if not 0 <= s < count]
    if bad:
        raise InvalidArgument(
            f"{argument} must be positions from 0 to {count - 1}; got out of range: {bad[:10]!r}."
        )
    return positions
