"""The fold file's layout on disc, and the one function that writes it.

A fold file is an HDF5 file (h5py)::

    meta_data/<key>        one JSON string per key: feature names, categorical maps, which
                           targets and weights, the matrix or tensor's shape, ``n_folds`` and
                           the folds whose inputs hold NaN or infinities
    fold_<i>/inputs        (rows, continuous + categorical) float32; categorical codes as floats
            /targets       (rows, targets) in the file's target dtype
            /weights       (rows,) float32, when the file has a weight column
            /matrix_inputs (rows, ...) float32, or for sparse data a group of ``coords``
                           (ndim, nnz) int64 and ``values`` (nnz,) float32 with a ``shape`` attr
            /<column>      extra columns (misc features), and predictions saved later

Folds are written one at a time from an iterable, so a writer never holds the whole data, and
the file is written under a temporary name and renamed when complete: a fold file that exists
is always whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assay.data.files import written_whole
from assay.errors import InvalidArgument, require

FORMAT = "assay.foldfile"
FORMAT_VERSION = 1
META_GROUP = "meta_data"
FOLD_PREFIX = "fold_"
INPUTS, TARGETS, WEIGHTS, MATRIX = "inputs", "targets", "weights", "matrix_inputs"
RESERVED = frozenset({INPUTS, TARGETS, WEIGHTS, MATRIX})
COMPRESSIONS = (None, "gzip", "lzf")
# The meta data key listing the folds whose inputs hold NaN or infinities: readers skip
# ``np.nan_to_num`` on the others.
NON_FINITE = "non_finite_folds"


def h5py_module() -> Any:
    """h5py, or an error naming the extra that installs it."""
    return require("h5py", extra="torch", caller="assay.nn fold files")


def fold_name(index: int) -> str:
    """The group name of fold ``index``."""
    return f"{FOLD_PREFIX}{index}"


@dataclass
class FoldArrays:
    """One fold's arrays, as written: every array has one row per sample.

    Attributes:
        inputs: Flat inputs (rows, features), float32.
        targets: Targets (rows, targets).
        weights: Sample weights (rows,), or None.
        matrix: Matrix or tensor data (rows, ...), dense; written sparse when the file says so.
        extras: Further columns by name (misc features, sample ids).
    """

    inputs: np.ndarray
    targets: np.ndarray
    weights: np.ndarray | None = None
    matrix: np.ndarray | None = None
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def is_finite(self) -> bool:
        """Whether the inputs (and the matrix) hold no NaN or infinity."""
        arrays = [self.inputs] if self.matrix is None else [self.inputs, self.matrix]
        return all(np.isfinite(np.asarray(array, dtype=np.float32)).all() for array in arrays)


def check_compression(compression: str | None) -> str | None:
    """Return ``compression`` if h5py can write it, else raise naming the choices."""
    if compression not in COMPRESSIONS:
        raise InvalidArgument(f"compression must be one of {COMPRESSIONS}; got {compression!r}.")
    return compression


def check_column_name(name: Any, argument: str) -> str:
    """A name an extra column may have inside a fold group (not reserved, no '/')."""
    if not isinstance(name, str) or not name or "/" in name or name == ".":
        raise InvalidArgument(
            f"{argument}: column names must be non-empty strings without '/'; got {name!r}."
        )
    if name in RESERVED:
        raise InvalidArgument(
            f"{argument}: {name!r} is reserved for the fold's own data ({sorted(RESERVED)}); "
            "rename the column."
        )
    return name


def write_foldfile(
    path: Path,
    meta: dict[str, Any],
    folds: Iterable[FoldArrays],
    compression: str | None = None,
) -> Path:
    """Write a fold file: the meta data, then each fold as the iterable yields it.

    Args:
        path: Where the file goes; an existing file there is replaced only once the new one
            is complete.
        meta: JSON-serialisable meta data; ``n_folds`` is added from the folds written.
        folds: The folds in order; a generator keeps only one fold in memory.
        compression: None, ``'gzip'`` or ``'lzf'``, for every dataset of the folds.

    Returns:
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if compression != "lzf":
        return _write(path, meta, folds, compression)
    # With a JVM started on this process's main thread (JPype, which the registry's PMML
    # checks use), h5py's LZF compressor crashes the process there (a segmentation fault;
    # a JVM with -Xss16m, or another thread, is spared). A worker thread has its own stack.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="assay-lzf") as pool:
        return pool.submit(_write, path, meta, folds, compression).result()


def _write(
    path: Path, meta: dict[str, Any], folds: Iterable[FoldArrays], compression: str | None
) -> Path:
    """``write_foldfile``'s work: a temporary file, renamed into place once complete."""
    h5py = h5py_module()
    sparse = bool((meta.get("matrix") or {}).get("is_sparse"))
    with written_whole(path) as temporary, h5py.File(temporary, "w") as handle:
        count, non_finite = 0, []
        for count, fold in enumerate(folds, start=1):
            write_fold(handle.create_group(fold_name(count - 1)), fold, compression, sparse)
            if not fold.is_finite():
                non_finite.append(count - 1)
        write_meta(handle, {**meta, "n_folds": count, NON_FINITE: non_finite})
    return path


def write_fold(group: Any, fold: FoldArrays, compression: str | None, sparse: bool) -> None:
    """Write one fold's arrays into its group."""
    write_array(group, INPUTS, np.asarray(fold.inputs, dtype=np.float32), compression)
    write_array(group, TARGETS, fold.targets, compression)
    if fold.weights is not None:
        write_array(group, WEIGHTS, np.asarray(fold.weights, dtype=np.float32), compression)
    if fold.matrix is not None:
        matrix = np.asarray(fold.matrix, dtype=np.float32)
        if sparse:
            write_sparse(group, MATRIX, matrix, compression)
        else:
            write_array(group, MATRIX, matrix, compression)
    for name, column in fold.extras.items():
        write_array(group, name, column, compression)


def write_array(group: Any, name: str, array: Any, compression: str | None) -> None:
    """Write (or replace) one dataset; text columns become HDF5 strings."""
    h5py = h5py_module()
    array = np.asarray(array)
    dtype = None
    if array.dtype.kind in "OUS":
        dtype = h5py.string_dtype()
        array = np.array(["" if value is None else str(value) for value in array], dtype=object)
    if name in group:
        del group[name]
    # Chunked (compressed) datasets need at least one element per chunk.
    options = {"compression": compression} if compression and array.size else {}
    group.create_dataset(name, data=array, dtype=dtype, **options)


def write_sparse(group: Any, name: str, dense: np.ndarray, compression: str | None) -> None:
    """Write a dense array as COO: the coordinates of its non-zero elements and their values."""
    coords = np.stack(np.nonzero(dense)).astype(np.int64)
    sub = group.create_group(name)
    sub.attrs["shape"] = np.asarray(dense.shape, dtype=np.int64)
    write_array(sub, "coords", coords, compression)
    write_array(sub, "values", dense[tuple(coords)], compression)


def read_array(node: Any) -> np.ndarray:
    """Read one dataset whole (text as str), or a sparse group as its dense array."""
    h5py = h5py_module()
    if isinstance(node, h5py.Group):
        shape = tuple(int(size) for size in node.attrs["shape"])
        dense = np.zeros(shape, dtype=np.float32)
        dense[tuple(node["coords"][()])] = node["values"][()]
        return dense
    if h5py.check_string_dtype(node.dtype) is not None:
        return np.asarray(node.asstr()[()], dtype=object)
    return node[()]


def write_meta(handle: Any, meta: dict[str, Any]) -> None:
    """Write the meta data group: one JSON string per key, with the format's name and version."""
    group = handle.require_group(META_GROUP)
    group.attrs["format"] = FORMAT
    group.attrs["version"] = FORMAT_VERSION
    for key, value in meta.items():
        if key in group:
            del group[key]
        group.create_dataset(key, data=json.dumps(value))


def read_meta(handle: Any, path: Path | str) -> dict[str, Any]:
    """Read the meta data group back; raise if the file is not a fold file."""
    group = handle.get(META_GROUP)
    if group is None or group.attrs.get("format") != FORMAT:
        raise InvalidArgument(
            f"path: {path} is not an assay fold file (no '{META_GROUP}' group of format "
            f"{FORMAT!r}); write one with df2foldfile or Splitset.to_foldfile."
        )
    return {key: json.loads(group[key].asstr()[()]) for key in group}


def python_value(value: Any) -> Any:
    """A NumPy or pandas scalar as a plain Python value JSON can hold (NaN becomes None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
