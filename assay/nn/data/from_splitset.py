"""A Splitset's preprocessed samples written as a fold file (``Splitset.to_foldfile``).

The arrays come from the samples cache (cached first when cold), memory-mapped, so one fold is
copied into memory at a time. What becomes a fold:

- a Splitset with Folds: fold ``i`` holds Fold ``i``'s ``fold_validation`` samples. Every fold
  is taken from the ``train`` split as the Splitset's own coders (fitted on ``train``)
  preprocessed it, so that a model trained over several folds sees one scaling throughout,
  as LUMIN fits one pipeline before splitting into folds;
- a Splitset without Folds: one fold per split (``train``, ``validation``, ``test``), in the
  order they were made (``fy.fold_names`` says which is which);
- ``split='test'`` (any split): that split alone, cut into ``n_folds`` consecutive folds.

Two-dimensional Features become the flat ``inputs`` (their encoded columns, in Feature
order); one Feature of 3 dimensions (e.g. windows) becomes the matrix, of more the tensor.
Each fold also stores ``sample_id``: the original sample (or window) index of every row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument
from assay.nn.data.layout import FoldArrays, check_compression, write_foldfile

if TYPE_CHECKING:
    from assay.orm.splitset import Splitset

SAMPLE_ID = "sample_id"
FOLD_VALIDATION = "fold_validation"


@dataclass(frozen=True)
class FoldPlan:
    """Where one fold's rows come from: a cached split and positions within it."""

    name: str
    split: str
    positions: np.ndarray
    sample_ids: np.ndarray


def splitset_to_foldfile(
    splitset: Splitset,
    path: str | Path,
    split: str | None = None,
    n_folds: int | None = None,
    compression: str | None = None,
) -> Path:
    """Write a Splitset's preprocessed folds (or splits) as a fold file.

    Args:
        splitset: A Splitset with a Label (or a Window whose future gives the targets).
        path: The file to write.
        split: Write only this split, cut into ``n_folds`` folds; None writes the Folds (or,
            without Folds, every split as a fold).
        n_folds: With ``split``, how many folds to cut it into (default 1).
        compression: None, ``'gzip'`` or ``'lzf'``.

    Returns:
        The path written.

    Raises:
        InvalidArgument: An unknown split, a bad ``n_folds``, several Features of more than
            two dimensions, or no targets; nothing is written.
    """
    from assay.store import cache
    from assay.store.samples import cache_once, class_names

    check_compression(compression)
    plans = plan_folds(splitset, split, n_folds)
    if splitset.label_id is None and not _has_future(splitset):
        raise InvalidArgument(
            f"Splitset {splitset.id} has no Label (nor a Window with future targets); a fold "
            "file needs targets. Make the Splitset with label_id=..."
        )
    cache_once(splitset)
    root = Path(splitset.cache_path)
    splits = {plan.split for plan in plans}
    arrays = {name: cache.read_split(root, None, name, mmap=True) for name in splits}
    features, label = arrays[plans[0].split]
    layout = _feature_layout(splitset, features)
    label_row = splitset.label
    meta = {
        "cont_feats": layout["flat_names"],
        "cat_feats": [],
        "cat_maps": {},
        "targ_feats": _target_names(splitset, label),
        "targ_type": "int64" if label.dtype.kind in "biu" else "float32",
        "wgt_feat": None,
        "misc_feats": [SAMPLE_ID],
        "strat_key": None,
        "matrix": layout["matrix"],
        "fold_names": [plan.name for plan in plans],
        "class_names": class_names(label_row),
        "source": {
            "kind": "splitset",
            "splitset_id": splitset.id,
            "split": split,
            "preprocessing": "the Splitset's coders, fitted on its train split",
        },
    }

    def each_fold() -> Iterator[FoldArrays]:
        for plan in plans:
            split_features, split_label = arrays[plan.split]
            rows = plan.positions
            flat = [np.asarray(split_features[at][rows]) for at in layout["flat"]]
            width = sum(part.shape[1] for part in flat)
            targets = np.asarray(split_label[rows], dtype=meta["targ_type"])
            yield FoldArrays(
                inputs=np.concatenate(flat, axis=1) if flat else np.zeros((len(rows), width)),
                targets=targets.reshape(len(rows), -1) if targets.ndim == 1 else targets,
                matrix=None
                if layout["matrix_at"] is None
                else np.asarray(split_features[layout["matrix_at"]][rows]),
                extras={SAMPLE_ID: plan.sample_ids},
            )

    return write_foldfile(Path(path), meta, each_fold(), compression)


def plan_folds(splitset: Splitset, split: str | None, n_folds: int | None) -> list[FoldPlan]:
    """Which rows of which cached split make each fold (see the module's docstring)."""
    samples = splitset.samples
    if split is not None:
        if split not in samples:
            raise InvalidArgument(
                f"split must be one of {list(samples)} of Splitset {splitset.id}; got {split!r}."
            )
        ids = np.asarray(samples[split], dtype=np.int64)
        count = 1 if n_folds is None else n_folds
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= len(ids):
            raise InvalidArgument(
                f"n_folds must be an int between 1 and the {len(ids)} samples of {split!r}; "
                f"got {n_folds!r}."
            )
        parts = np.array_split(np.arange(len(ids)), count)
        names = [split] if count == 1 else [f"{split}_{at}" for at in range(count)]
        return [
            FoldPlan(name, split, rows, ids[rows]) for name, rows in zip(names, parts, strict=True)
        ]
    if n_folds is not None:
        raise InvalidArgument(
            "n_folds cuts one split into folds; give split=... with it, or leave it None to "
            "write the Splitset's Folds (or its splits)."
        )
    folds = splitset.folds
    if not folds:
        return [
            FoldPlan(name, name, np.arange(len(ids)), np.asarray(ids, dtype=np.int64))
            for name, ids in samples.items()
        ]
    train = np.asarray(samples["train"], dtype=np.int64)
    sorter = np.argsort(train)
    plans = []
    for fold in folds:
        ids = np.asarray(fold.samples[FOLD_VALIDATION], dtype=np.int64)
        positions = sorter[np.searchsorted(train, ids, sorter=sorter)]
        plans.append(FoldPlan(f"fold_{fold.idx}", "train", positions, ids))
    return plans


def _has_future(splitset: Splitset) -> bool:
    return any(
        feature.window is not None and feature.window.record_shifted
        for feature in splitset.features
    )


def _feature_layout(splitset: Splitset, features: list[np.ndarray]) -> dict[str, Any]:
    """Which Features are flat inputs (and their column names), and which is the matrix."""
    flat, flat_names, deep = [], [], []
    for at, (feature, array) in enumerate(zip(splitset.features, features, strict=True)):
        if array.ndim == 2:
            flat.append(at)
            flat_names.extend(feature.encoded_column_names())
        else:
            deep.append((at, feature, array))
    if len(deep) > 1:
        raise InvalidArgument(
            f"Splitset {splitset.id} has {len(deep)} Features of more than two dimensions; a "
            "fold file holds one matrix or tensor beside the flat inputs."
        )
    flat_names = _unique(flat_names)
    if not deep:
        return {"flat": flat, "flat_names": flat_names, "matrix": None, "matrix_at": None}
    at, feature, array = deep[0]
    columns = feature.encoded_column_names()
    is_matrix = array.ndim == 3 and array.shape[2] == len(columns)
    matrix = {
        "kind": "matrix" if is_matrix else "tensor",
        "name": feature.name or f"feature_{feature.id}",
        "vecs": [f"step_{step}" for step in range(array.shape[1])] if is_matrix else None,
        "feats_per_vec": columns if is_matrix else None,
        "row_wise": True if is_matrix else None,
        "missing": [],
        "shape": list(array.shape[1:]),
        "is_sparse": False,
    }
    return {"flat": flat, "flat_names": flat_names, "matrix": matrix, "matrix_at": at}


def _unique(names: list[str]) -> list[str]:
    """Column names made unique: a repeated name (two Features) gets ``_<n>`` appended."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if count == 0 else f"{name}_{count}")
    return unique


def _target_names(splitset: Splitset, label: np.ndarray) -> list[str]:
    """The target columns' names, as the label was encoded (or the Window's columns)."""
    from assay.train.handoff import label_column_names

    width = 1 if label.ndim == 1 else label.shape[-1]
    target = splitset.label
    if target is None:
        return [f"target_{at}" for at in range(width)]
    return label_column_names(list(target.columns), target.labelcoder is not None, width)
