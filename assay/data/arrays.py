"""N-D data (3D sequences, 4D images): validation, ``.npy`` bytes, metadata and selection."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assay.data.dtypes import check_dtype, check_lossless, check_names
from assay.data.hashing import read_hashed
from assay.errors import InvalidArgument, NotFound

AXES = {3: ("samples", "rows", "columns"), 4: ("samples", "channels", "rows", "columns")}
#: numpy dtype kinds an N-D Dataset may hold: bool, ints, floats and complex numbers.
ARRAY_KINDS = "biufc"


def load_npy(path: str | Path, argument: str) -> tuple[np.ndarray, str]:
    """Read an ``.npy`` file, with errors that name the argument, and the sha256 of its bytes.

    The bytes are read once, hashed and parsed, so the digest is of exactly what was loaded.
    """
    path = Path(path)
    if path.suffix.lower() != ".npy":
        raise InvalidArgument(
            f"{argument} must be an ndarray or a path ending in .npy; got {str(path)!r}."
        )
    if not path.is_file():
        raise NotFound(f"{argument} {str(path)!r} is not a file.")
    data, digest = read_hashed(path, argument)
    return parse_npy(data, f"{argument} {str(path)!r}"), digest


def parse_npy(data: bytes, source: str) -> np.ndarray:
    """The array in ``.npy`` bytes; ``source`` names where they came from in errors."""
    try:
        return from_npy(data)
    except (OSError, ValueError, EOFError) as exc:
        raise InvalidArgument(f"{source} cannot be read as .npy: {exc}") from exc


def check_array(arr: Any, ndim: int, argument: str) -> np.ndarray:
    """Validate an ndarray's dimensionality and that it holds data.

    Args:
        arr: The array given; it must be an ndarray of a numeric or bool dtype.
        ndim: The dimensions required: 3 (samples, rows, columns) for a Sequence, 4
            (samples, channels, rows, columns) for an Image.
        argument: The argument it came in, named in the error.
    """
    if not isinstance(arr, np.ndarray):
        raise InvalidArgument(
            f"{argument} must be a {ndim}D numpy ndarray or an .npy path; got {type(arr).__name__}."
        )
    if arr.ndim != ndim:
        raise InvalidArgument(
            f"{argument} must be {ndim}D ({', '.join(AXES[ndim])}); got {arr.ndim}D with shape "
            f"{arr.shape}."
        )
    if arr.size == 0:
        raise InvalidArgument(f"{argument} must hold data; got shape {arr.shape}.")
    if arr.dtype.kind not in ARRAY_KINDS:
        raise InvalidArgument(
            f"{argument} must have a numeric or bool dtype; got {arr.dtype}. Convert it with "
            "arr.astype(...) first."
        )
    return arr


def column_names(arr: np.ndarray, rename_columns: Any = None) -> list[str]:
    """Names for the last dimension: ``rename_columns``, or ``'0'``, ``'1'``, ... by default."""
    if rename_columns is None:
        return [str(i) for i in range(arr.shape[-1])]
    return check_names(rename_columns, "rename_columns", arr.shape[-1])


def retype_array(arr: np.ndarray, retype: Any = None) -> np.ndarray:
    """Change an array's dtype; only one dtype for the whole array (dicts are for Tabular)."""
    if retype is None:
        return arr
    if isinstance(retype, dict):
        raise InvalidArgument(
            "retype must be one dtype for Sequence and Image datasets; a {column: dtype} dict "
            "is only supported by Dataset.Tabular."
        )
    dtype = check_dtype(retype, "retype")
    if not isinstance(dtype, np.dtype) or dtype.kind not in ARRAY_KINDS:
        raise InvalidArgument(
            f"retype must be a numeric or bool numpy dtype for N-D data; got {retype!r}."
        )
    with np.errstate(all="ignore"):  # overflow is reported below
        converted = arr.astype(dtype)
    check_lossless(arr, converted, f"the array from {arr.dtype}", dtype)
    return converted


def to_npy(arr: np.ndarray) -> memoryview:
    """The ``.npy`` bytes of an array (the stored form and what its hash is taken of)."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(arr), allow_pickle=False)
    return buffer.getbuffer()


def write_npy(arr: np.ndarray, path: str | Path) -> None:
    """Write an array to an ``.npy`` file, byte for byte what ``to_npy`` returns."""
    np.save(path, np.ascontiguousarray(arr), allow_pickle=False)


def from_npy(data: Any) -> np.ndarray:
    """Read ``.npy`` bytes (or an ``.npy`` file) back into an array."""
    if isinstance(data, (str, Path)):
        return np.load(data, allow_pickle=False)
    return np.load(io.BytesIO(data), allow_pickle=False)


def describe_array(arr: np.ndarray, columns: list[str]) -> dict[str, Any]:
    """The metadata recorded for an N-D Dataset."""
    contains_nan = bool(np.isnan(arr).any()) if arr.dtype.kind in "fc" else False
    return {
        "columns": columns,
        "dtypes": str(arr.dtype),
        "shape": {axis: int(size) for axis, size in zip(AXES[arr.ndim], arr.shape, strict=True)},
        "memory_MB": round(arr.nbytes / 1e6, 3),
        "contains_nan": contains_nan,
    }


def select_array(
    arr: np.ndarray, all_columns: list[str], columns: list[str] | None, samples: list[int] | None
) -> np.ndarray:
    """Pick samples (first dimension) and columns (last dimension) of an N-D array.

    Args:
        arr: The whole array, samples first and columns last.
        all_columns: The names of its last dimension, in order.
        columns: The columns to keep, in the order wanted (already checked); None keeps all.
        samples: Positions of the samples to keep, in the order wanted (already checked);
            None keeps all.
    """
    if samples is not None:
        arr = arr[np.asarray(samples, dtype=np.int64)]
    if columns is not None and columns != all_columns:
        arr = arr[..., [all_columns.index(column) for column in columns]]
    return arr


def to_frames(arr: np.ndarray, columns: list[str]) -> list[Any]:
    """Sequence data as one DataFrame per sample; images as one list of frames per channel."""
    if arr.ndim == 2:
        return pd.DataFrame(arr, columns=columns)
    return [to_frames(part, columns) for part in arr]
