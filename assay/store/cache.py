"""The samples cache: preprocessed splits on disk as ``.npy`` files, written atomically.

Before training, a Splitset's preprocessed features and label are written here so each Job
neither preprocesses from scratch nor holds the data in memory between Jobs::

    <root>/<fold index | 'no_fold'>/<split>/label.npy
                                           /feature_<i>.npy
    <root>/.complete        (written last, once every fold and split is in place)

A split is written into a temporary folder beside its final place and renamed into it, so a
split folder that exists is always whole. The ``.complete`` marker makes the cache "hot";
writing a split removes it until :func:`mark_hot` is called again. Files only: the database
row (``Splitset.cache_hot``) is the caller's business.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path

import numpy as np

from assay.errors import InvalidArgument, NotFound

MARKER = ".complete"
NO_FOLD = "no_fold"
LABEL_FILE = "label.npy"
_FEATURE = re.compile(r"^feature_(\d+)\.npy$")
_TEMP_PREFIX = ".tmp-"


def fold_dir_name(fold_index: int | None) -> str:
    """The folder name of a fold: its index, or ``'no_fold'`` for a Splitset without folds.

    Raises:
        InvalidArgument: When ``fold_index`` is not ``None`` or an int of at least 0.
    """
    if fold_index is None:
        return NO_FOLD
    if isinstance(fold_index, bool) or not isinstance(fold_index, (int, np.integer)):
        raise InvalidArgument(f"fold_index must be None or an int >= 0; got {fold_index!r}.")
    if fold_index < 0:
        raise InvalidArgument(f"fold_index must be None or an int >= 0; got {fold_index}.")
    return str(int(fold_index))


def _check_split(split: str) -> str:
    if (
        not isinstance(split, str)
        or not split
        or split.startswith(".")
        or "/" in split
        or "\\" in split
    ):
        raise InvalidArgument(
            f"split must be a plain name such as 'train' or 'fold_validation'; got {split!r}."
        )
    return split


def _fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename) to disk, where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, np.asarray(array), allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def _unmark(root: Path) -> None:
    marker = root / MARKER
    if marker.exists():
        marker.unlink()
        _fsync_dir(root)


def write_split(
    root: Path,
    fold_index: int | None,
    split: str,
    label: np.ndarray | None,
    features: list[np.ndarray],
) -> None:
    """Write one split of one fold, replacing any earlier copy, atomically.

    The files are written and flushed into a temporary folder beside the final one, which is
    then renamed into place; an earlier copy is moved aside first and removed afterwards. A
    crash leaves either the old split, no split, or the new one, never a partial one. Writing
    a split un-marks the cache (see :func:`mark_hot`).

    Args:
        root: The Splitset's cache folder.
        fold_index: The fold's index, or ``None`` without folds.
        split: The split name, e.g. ``'train'``, ``'test'``, ``'folds_train_combined'``.
        label: The preprocessed label, or ``None`` (unsupervised).
        features: The preprocessed arrays, one per Feature, saved as ``feature_<i>.npy``.

    Raises:
        InvalidArgument: For a bad fold index or split name, or no features.
    """
    root = Path(root)
    _check_split(split)
    if not isinstance(features, (list, tuple)) or not features:
        raise InvalidArgument(
            f"features must be a non-empty list of arrays, one per Feature; got {features!r:.80}."
        )
    fold_dir = root / fold_dir_name(fold_index)
    fold_dir.mkdir(parents=True, exist_ok=True)
    _unmark(root)
    final = fold_dir / split
    temp = fold_dir / f"{_TEMP_PREFIX}{split}-{uuid.uuid4().hex}"
    temp.mkdir()
    try:
        for i, array in enumerate(features):
            _save(temp / f"feature_{i}.npy", array)
        if label is not None:
            _save(temp / LABEL_FILE, label)
        _fsync_dir(temp)
        if final.exists():
            old = fold_dir / f"{_TEMP_PREFIX}old-{split}-{uuid.uuid4().hex}"
            os.replace(final, old)
            os.replace(temp, final)
            _fsync_dir(fold_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temp, final)
            _fsync_dir(fold_dir)
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)


def read_split(
    root: Path, fold_index: int | None, split: str, *, mmap: bool = False
) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Read one cached split.

    Args:
        root: The Splitset's cache folder.
        fold_index: The fold's index, or ``None`` without folds.
        split: The split name.
        mmap: Map the files read-only instead of loading them into memory.

    Returns:
        ``(features, label)``: the arrays in Feature order, and the label or ``None``.

    Raises:
        NotFound: When that split is not in the cache.
    """
    root = Path(root)
    folder = root / fold_dir_name(fold_index) / _check_split(split)
    if not folder.is_dir():
        raise NotFound(
            f"no cached split {split!r} for {fold_dir_name(fold_index)!r} under {root}; "
            "cache the samples first (Splitset.cache_samples)."
        )
    numbered = []
    for path in folder.iterdir():
        match = _FEATURE.match(path.name)
        if match:
            numbered.append((int(match.group(1)), path))
    if not numbered:
        raise NotFound(f"the cached split {split!r} in {folder} holds no feature files.")
    mode = "r" if mmap else None
    features = [np.load(path, mmap_mode=mode, allow_pickle=False) for _, path in sorted(numbered)]
    label_path = folder / LABEL_FILE
    label = np.load(label_path, mmap_mode=mode, allow_pickle=False) if label_path.exists() else None
    return features, label


def mark_hot(root: Path) -> None:
    """Mark the cache complete, once every fold and split is written.

    The marker is written to a temporary file, flushed and renamed, so it appears whole.

    Raises:
        NotFound: When ``root`` holds no cached split.
    """
    root = Path(root)
    if not list_splits(root):
        raise NotFound(f"no cached splits under {root}; write them before marking it hot.")
    temp = root / f"{_TEMP_PREFIX}{MARKER}-{uuid.uuid4().hex}"
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump({"completed_at": time.time()}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, root / MARKER)
    _fsync_dir(root)


def is_hot(root: Path) -> bool:
    """Whether the cache under ``root`` was marked complete by :func:`mark_hot`."""
    return (Path(root) / MARKER).is_file()


def clear(root: Path) -> None:
    """Remove the cache under ``root``; nothing happens when it is absent.

    The marker goes first, so a removal cut short never leaves a cache that looks hot.
    """
    root = Path(root)
    if not root.exists():
        return
    _unmark(root)
    shutil.rmtree(root)


def _fold_order(path: Path) -> tuple[bool, int, str]:
    digits = path.name.isdigit()
    return (not digits, int(path.name) if digits else 0, path.name)


def list_splits(root: Path) -> dict[str, list[str]]:
    """The cached splits: ``{fold folder name: [split names, sorted]}``.

    Temporary folders of writes in progress (or cut short) are left out. An absent ``root``
    gives ``{}``.
    """
    root = Path(root)
    if not root.is_dir():
        return {}
    found: dict[str, list[str]] = {}
    for fold in sorted(root.iterdir(), key=_fold_order):
        if not fold.is_dir() or fold.name.startswith("."):
            continue
        splits = sorted(p.name for p in fold.iterdir() if p.is_dir() and not p.name.startswith("."))
        if splits:
            found[fold.name] = splits
    return found
