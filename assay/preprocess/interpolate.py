"""Interpolation of gaps in floating columns with ``pandas.DataFrame.interpolate``.

Interpolation has no fit/transform split, so leakage is avoided by what it sees: the
training rows are interpolated alone; another split is interpolated after the training rows
(placed before it, as history) and then cut back out. Never the reverse.
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
    """The defaults updated with ``kwargs``, whose keys must be ``DataFrame.interpolate``'s."""
    if kwargs is None:
        return dict(DEFAULT_INTERPOLATE_KWARGS)
    if not isinstance(kwargs, dict):
        raise InvalidArgument(
            f"interpolate_kwargs must be a dict or None; got {type(kwargs).__name__}."
        )
    accepted = set(inspect.signature(pd.DataFrame.interpolate).parameters) - {"self"}
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise InvalidArgument(
            f"interpolate_kwargs has keys {unknown} that pandas.DataFrame.interpolate does not "
            f"take; choose from {sorted(accepted)}."
        )
    if kwargs.get("inplace"):
        raise InvalidArgument("interpolate_kwargs: inplace=True is not supported.")
    return {**DEFAULT_INTERPOLATE_KWARGS, **kwargs}


def check_floating(frame: pd.DataFrame, columns: list[str]) -> None:
    """Raise unless every column is floating (interpolation fits a curve to numbers)."""
    for column in columns:
        dtype = frame[column].dtype
        if not pd.api.types.is_float_dtype(dtype):
            raise InvalidArgument(
                f"interpolation needs floating columns; column {column!r} is {dtype}. Retype it "
                "to float, or leave it out with the dtypes/columns filters."
            )


def interpolate_frame(frame: pd.DataFrame, kwargs: dict[str, Any]) -> pd.DataFrame:
    """Interpolate each column of a frame that has gaps; others are returned unchanged."""
    kwargs = {**DEFAULT_INTERPOLATE_KWARGS, **(kwargs or {})}
    index = frame.index
    out = frame.reset_index(drop=True).copy()
    gaps = [column for column in out.columns if out[column].isna().any()]
    if gaps:
        try:
            out[gaps] = out[gaps].interpolate(**kwargs)
        except (ValueError, TypeError) as exc:
            raise InvalidArgument(
                f"interpolation with {kwargs} failed on columns {gaps}: {exc}. Try "
                "interpolate_kwargs=dict(method='linear'), or check that each column has enough "
                "values to fit."
            ) from exc
    out.index = index
    return out


def interpolate_array(array: np.ndarray, kwargs: dict[str, Any]) -> np.ndarray:
    """Interpolate N-D data: 2D as columns; 3D each sequence; 4D each 2D channel."""
    array = np.asarray(array)
    if array.ndim == 2:
        return interpolate_frame(pd.DataFrame(array), kwargs).to_numpy()
    if array.ndim not in (3, 4):
        raise InvalidArgument(f"interpolation takes 2D, 3D or 4D data; got {array.ndim}D.")
    out = np.array(array, dtype=np.float64 if array.dtype.kind != "f" else array.dtype)
    flat = out.reshape(-1, *out.shape[-2:])
    for at in range(len(flat)):
        if np.isnan(flat[at]).any():
            flat[at] = interpolate_frame(pd.DataFrame(flat[at]), kwargs).to_numpy()
    return flat.reshape(out.shape)


def interpolate_without_leakage(
    data: pd.DataFrame | np.ndarray,
    train_rows: np.ndarray,
    other_rows: dict[str, np.ndarray],
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """Interpolate the training rows alone, and each other split after them.

    Returns:
        ``{'train': ..., name: ...}`` holding the interpolated rows of each split, in the
        order the rows were given.
    """
    if not isinstance(data, pd.DataFrame):
        array = np.asarray(data)
        if array.ndim == 2:
            frames = interpolate_without_leakage(
                pd.DataFrame(array), train_rows, other_rows, kwargs
            )
            return {name: frame.to_numpy() for name, frame in frames.items()}
        # Each sequence or image is interpolated alone: no split can see another.
        return {
            "train": interpolate_array(array[train_rows], kwargs),
            **{name: interpolate_array(array[rows], kwargs) for name, rows in other_rows.items()},
        }
    train = interpolate_frame(data.iloc[train_rows], kwargs)
    out: dict[str, Any] = {"train": train}
    for name, rows in other_rows.items():
        if len(rows) == 0:
            out[name] = data.iloc[rows]
            continue
        combined = pd.concat([data.iloc[train_rows], data.iloc[rows]])
        done = interpolate_frame(combined, kwargs)
        out[name] = done.iloc[len(train_rows) :]
    return out
