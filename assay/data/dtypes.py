"""Checks shared by every kind of Dataset: paths, column names, dtypes and samples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument


def check_path(value: Any, argument: str) -> Path:
    """``value`` as a Path, or an error naming the argument (instead of pathlib's TypeError)."""
    try:
        return Path(value)
    except TypeError as exc:
        raise InvalidArgument(
            f"{argument} must be a path (a str or pathlib.Path); got {type(value).__name__} "
            f"{value!r}."
        ) from exc


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
    """Validate a list of column names: strings, unique, and as many as the data has columns.

    Args:
        names: The names given, e.g. ``rename_columns``; a single str is refused.
        argument: The argument they came in, named in the error.
        expected_count: The data's number of columns; None accepts any count.
    """
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
    """Validate that ``requested`` names existing columns, each once.

    Args:
        requested: The columns asked for, a non-empty list of str.
        known: The columns the data has.
        argument: The argument they came in, e.g. ``'columns'``, named in the error.
    """
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
    """Validate sample positions (0-based) against the number of samples.

    Args:
        samples: Positions of samples (ints, repeats and any order allowed); None means all
            and is returned as it is.
        count: The data's number of samples; every position must be below it.
        argument: The argument they came in, named in the error.
    """
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


#: numpy dtype kinds whose values retype compares before and after: bool, ints, floats.
NUMERIC_KINDS = "biuf"


def numeric_kind(dtype: Any) -> str | None:
    """The numpy kind of a numeric or bool dtype (pandas' nullable ones too), else None."""
    dtype = getattr(dtype, "numpy_dtype", dtype)
    kind = getattr(dtype, "kind", None)
    return kind if isinstance(kind, str) and kind in NUMERIC_KINDS else None


def numeric_values(values: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Flat numeric values and a mask of the missing ones, or None for non-numeric data.

    Columns of text or objects are parsed as numbers (unparsable values count as missing),
    so that converting them is judged by the numbers they hold.
    """
    if isinstance(values, pd.Series):
        dtype = values.dtype
        if numeric_kind(dtype) is None:
            try:
                values = pd.to_numeric(values, errors="coerce")
            except (TypeError, ValueError):
                return None
            dtype = values.dtype
            if numeric_kind(dtype) is None:
                return None
        missing = values.isna().to_numpy()
        numpy_dtype = getattr(dtype, "numpy_dtype", dtype)
        data = values.to_numpy(dtype=numpy_dtype, na_value=numpy_dtype.type(0))
        return data, missing
    data = np.asarray(values).ravel()
    if numeric_kind(data.dtype) is None:
        return None
    missing = np.isnan(data) if data.dtype.kind == "f" else np.zeros(data.shape, dtype=bool)
    return data, missing


def changed_values(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Where a conversion changed a value: exactly, for ints and bools; overflow, for floats.

    Floats may round to a narrower float's precision; they may not overflow to infinity.
    """
    with np.errstate(all="ignore"):
        if new.dtype.kind == "f":
            return np.isfinite(old) & ~np.isfinite(new)
        # The sign test catches wrap-around that converting back would undo (-1 <-> 2**64-1).
        return (new.astype(old.dtype) != old) | ((new < 0) != (old < 0))


def check_lossless(before: Any, after: Any, what: str, dtype: Any) -> None:
    """Refuse a retype that changed a value (wrapped, overflowed, truncated, NaN to int).

    Args:
        before: The values before the conversion (a Series or an ndarray).
        after: The same values converted to ``dtype``.
        what: What was converted, for the message, e.g. ``"column 'a'"``.
        dtype: The dtype converted to.

    Raises:
        InvalidArgument: Naming ``what``, the dtype and a value that would change.
    """
    old, new = numeric_values(before), numeric_values(after)
    if old is None or new is None:
        return
    (old_data, old_missing), (new_data, new_missing) = old, new
    changed = (old_missing != new_missing) | (
        changed_values(old_data, new_data) & ~old_missing & ~new_missing
    )
    if not changed.any():
        return
    at = int(np.argmax(changed))
    raise InvalidArgument(
        f"retype cannot convert {what} to {dtype} without changing its values: e.g. "
        f"{value_at(before, at)!r} would become {value_at(after, at)!r} "
        f"({int(changed.sum())} values would change). Choose a dtype that holds every value, "
        "or change those values first."
    )


def value_at(values: Any, position: int) -> Any:
    """The value at a flat position of a Series or an ndarray, as a plain Python value."""
    value = values.iloc[position] if isinstance(values, pd.Series) else values.flat[position]
    return value.item() if isinstance(value, np.generic) else value
