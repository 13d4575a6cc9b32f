"""Interpolation of gaps in floating columns with ``pandas.DataFrame.interpolate`` (section 4).

Interpolation has no fit/transform split, so leakage is avoided by what it sees: the
training rows are interpolated alone; another split is interpolated together with the
training rows (as its history) and then cut back out. Never the reverse: nothing of the
other splits reaches the training rows.

Tabular data is interpolated column by column down the rows; a sequence (3D data:
samples x timesteps x columns) is interpolated alone, as is each 2D channel of an image
(4D data: samples x channels x rows x columns).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument

DEFAULT_INTERPOLATE_KWARGS: dict[str, Any] = {
    "method": "spline",
    "limit_direction": "both",
    "limit_area": None,
    "axis": 0,
    "order": 1,
}


def check_interpolate_kwargs(kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults updated with ``kwargs``, whose keys must be ``DataFrame.interpolate``'s.

    Args:
        kwargs: The user's ``interpolate_kwargs``, or None for the defaults.

    Returns:
        A new dict: ``DEFAULT_INTERPOLATE_KWARGS`` updated with ``kwargs``.

    Raises:
        InvalidArgument: Not a dict, unknown keys, ``inplace=True``, an axis other than 0, or
            settings pandas refuses (an unknown method, a method without its ``order``...).
    """
    if kwargs is None:
        return dict(DEFAULT_INTERPOLATE_KWARGS)
    if not isinstance(kwargs, dict):
        raise InvalidArgument(
            f"interpolate_kwargs must be a dict or None; got {type(kwargs).__name__} {kwargs!r}."
        )
    accepted = set(inspect.signature(pd.DataFrame.interpolate).parameters) - {"self", "kwargs"}
    accepted |= {"order", "s", "k", "ext", "bc_type", "der"}  # passed on to scipy
    unknown = sorted(str(key) for key in set(kwargs) - accepted)
    if unknown:
        raise InvalidArgument(
            f"interpolate_kwargs has keys {unknown} that pandas.DataFrame.interpolate does not "
            f"take; choose from {sorted(accepted)}."
        )
    if kwargs.get("inplace"):
        raise InvalidArgument(
            "interpolate_kwargs: inplace=True is not supported; the interpolated copy is used."
        )
    if kwargs.get("axis", 0) not in (0, "index", "rows"):
        raise InvalidArgument(
            f"interpolate_kwargs: axis must be 0 (down each column); got {kwargs['axis']!r}."
        )
    merged = {**DEFAULT_INTERPOLATE_KWARGS, **kwargs}
    _try_on_a_sample(merged)
    return merged


def _try_on_a_sample(kwargs: dict[str, Any]) -> None:
    """Interpolate a small series with gaps: refuse now what pandas would refuse later.

    An unknown method or a method without its order would otherwise pass the row and fail
    only when the cache is built.
    """
    values = np.sin(np.linspace(0.0, 3.0, 32))
    values[[5, 20]] = np.nan
    time = kwargs.get("method") == "time"
    index = pd.date_range("2000-01-01", periods=32, freq="D") if time else pd.RangeIndex(32)
    try:
        pd.DataFrame({"v": values}, index=index).interpolate(**kwargs)
    except Exception as exc:  # pandas raises ValueError, scipy its own classes
        raise InvalidArgument(
            f"interpolate_kwargs: pandas.DataFrame.interpolate refuses {kwargs}: {exc}. Choose a "
            "method such as 'linear', 'time', 'index', 'nearest', or 'spline' / 'polynomial' "
            "with an order, e.g. interpolate_kwargs=dict(method='linear')."
        ) from exc


def check_floating(frame: pd.DataFrame, columns: list[str]) -> None:
    """Raise unless every column is floating (interpolation fits a curve to numbers).

    Raises:
        InvalidArgument: Naming the first column that is not floating and its dtype.
    """
    for column in columns:
        if column not in frame.columns:
            raise InvalidArgument(f"columns: {column!r} is not a column of the data.")
        dtype = frame[column].dtype
        if not pd.api.types.is_float_dtype(dtype):
            raise InvalidArgument(
                f"interpolation needs floating columns; column {column!r} is {dtype}. "
                "Retype it to float, or leave it out with the dtypes/columns filters."
            )


def _keeps_index(index: pd.Index, method: Any) -> bool:
    """Whether to interpolate with the index as is (its values are the points' x)."""
    if method == "time":
        return True
    if isinstance(index, pd.RangeIndex):
        return True
    return (
        pd.api.types.is_numeric_dtype(index.dtype)
        and not pd.api.types.is_bool_dtype(index.dtype)
        and index.is_unique
        and index.is_monotonic_increasing
    )


def interpolate_frame(frame: pd.DataFrame, kwargs: dict[str, Any] | None) -> pd.DataFrame:
    """Interpolate each column of a frame that has gaps; the others are returned unchanged.

    A numeric increasing index is kept as the x of each row (so uneven spacing counts for
    ``'spline'``); any other index is replaced by 0, 1, 2... while interpolating and restored.

    Args:
        frame: Floating columns (only these are interpolated and returned).
        kwargs: For ``DataFrame.interpolate``; None or missing keys take the defaults.

    Returns:
        A new frame with the same index and columns.

    Raises:
        InvalidArgument: When pandas cannot interpolate a column, e.g. too few values for
            the spline, with the way out.
    """
    kwargs = {**DEFAULT_INTERPOLATE_KWARGS, **(kwargs or {})}
    out = frame.copy()
    gaps = [column for column in out.columns if out[column].isna().any()]
    if not gaps:
        return out
    check_floating(out, gaps)
    index = out.index
    work = out[gaps]
    if not _keeps_index(index, kwargs.get("method")):
        work = work.reset_index(drop=True)
    try:
        done = work.interpolate(**kwargs)
    except Exception as exc:  # scipy's fitpack raises its own error class
        counts = {column: int(work[column].notna().sum()) for column in gaps}
        raise InvalidArgument(
            f"interpolation with {kwargs} failed on columns {gaps} (values present: {counts}): "
            f"{exc}. Try interpolate_kwargs=dict(method='linear'), or check that each column "
            "has enough values to fit."
        ) from exc
    for column in gaps:
        out[column] = done[column].to_numpy()
    return out


def interpolate_array(array: np.ndarray, kwargs: dict[str, Any] | None) -> np.ndarray:
    """Interpolate N-D floating data along its rows.

    2D (rows x columns): each column down the rows. 3D (samples x timesteps x columns):
    each sequence alone. 4D (samples x channels x rows x columns): each 2D channel alone,
    down its rows (axis 0 of the channel).

    Raises:
        InvalidArgument: Not 2D to 4D, or not floating.
    """
    array = np.asarray(array)
    if array.ndim not in (2, 3, 4):
        raise InvalidArgument(
            f"interpolation takes 2D, 3D or 4D data; got {array.ndim}D of shape {array.shape}."
        )
    if array.dtype.kind != "f":
        raise InvalidArgument(
            f"interpolation needs floating data; got dtype {array.dtype}. Cast it to float."
        )
    if array.ndim == 2:
        return interpolate_frame(pd.DataFrame(array), kwargs).to_numpy()
    out = array.copy()
    flat = out.reshape(-1, *out.shape[-2:])  # a view: each 2D sequence or channel
    for at in range(len(flat)):
        if np.isnan(flat[at]).any():
            flat[at] = interpolate_frame(pd.DataFrame(flat[at]), kwargs).to_numpy()
    return out


def _positions(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows)
    if rows.dtype.kind == "b":
        return np.flatnonzero(rows)
    return rows.astype(np.int64, copy=False).ravel()


def _in_time_order(data: pd.DataFrame, rows: np.ndarray, method: Any) -> pd.DataFrame:
    """The rows in time (position) order, indexed so that ``interpolate_frame`` uses it."""
    part = data.iloc[np.sort(rows)]
    if _keeps_index(data.index, method) and not isinstance(data.index, pd.RangeIndex):
        return part
    return part.set_axis(pd.Index(np.sort(rows)), axis=0)


def interpolate_without_leakage(
    data: pd.DataFrame | np.ndarray,
    train_rows: np.ndarray,
    other_rows: dict[str, np.ndarray],
    kwargs: dict[str, Any] | None,
) -> dict[str, Any]:
    """Interpolate the training rows alone, and each other split with the training rows.

    Rows are interpolated in time order (their positions in ``data``), whatever order the
    splits list them in. The training rows see nothing else. Each other split is
    interpolated with the training rows as its history (merged in time order; for a
    chronological split they come before it), then the training rows are cut back out, so
    its values may depend on training rows but never the reverse.

    3D and 4D arrays: rows are samples, and each sample is interpolated alone, so no split
    sees another; each split is simply interpolated.

    Args:
        data: A frame or 2D array (rows x columns), or 3D/4D samples.
        train_rows: Positions of the training rows.
        other_rows: Positions of each other split's rows, by split name.
        kwargs: For ``DataFrame.interpolate`` (None: the defaults).

    Returns:
        ``{'train': ..., name: ...}``: each split's interpolated rows, of the type of
        ``data``, in the order its rows were given (frames keep their index labels).
    """
    method = {**DEFAULT_INTERPOLATE_KWARGS, **(kwargs or {})}.get("method")
    if "train" in other_rows:
        raise InvalidArgument("other_rows: 'train' is reserved for the training rows.")
    train_rows = _positions(train_rows)
    if not isinstance(data, pd.DataFrame):
        array = np.asarray(data)
        if array.ndim == 2:
            frames = interpolate_without_leakage(
                pd.DataFrame(array), train_rows, other_rows, kwargs
            )
            return {name: frame.to_numpy() for name, frame in frames.items()}
        return {
            "train": interpolate_array(array[train_rows], kwargs),
            **{
                name: interpolate_array(array[_positions(rows)], kwargs)
                for name, rows in other_rows.items()
            },
        }
    train = interpolate_frame(_in_time_order(data, train_rows, method), kwargs)
    out: dict[str, Any] = {"train": _back_in_order(data, train, train_rows)}
    for name, rows in other_rows.items():
        rows = _positions(rows)
        if len(rows) == 0:
            out[name] = data.iloc[rows].copy()
            continue
        together = np.union1d(train_rows, rows)
        done = interpolate_frame(_in_time_order(data, together, method), kwargs)
        out[name] = _back_in_order(data, done, rows, together)
    return out


def _back_in_order(
    data: pd.DataFrame, done: pd.DataFrame, rows: np.ndarray, among: np.ndarray | None = None
) -> pd.DataFrame:
    """Rows ``rows`` of ``done`` (which holds ``among`` in sorted order), in the given order."""
    among = np.sort(rows) if among is None else among
    at = np.searchsorted(among, rows)
    part = done.iloc[at]
    return part.set_axis(data.index[rows], axis=0)
