"""How Model and Ensemble read a FoldYielder: fold by fold, minding augmentation.

An augmenting FoldYielder (``assay.nn.data.AugFoldYielder``) transforms each fold at random
in ``get_fold``: what training wants, not validation or prediction. Validation reads the
fold as stored (``read_plain``); prediction averages over the yielder's fixed transforms
where test-time augmentation is on (``predict_fold``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def is_fold_yielder(value: Any) -> bool:
    """Whether ``value`` reads folds like a FoldYielder (rather than being arrays)."""
    return hasattr(value, "get_fold") and hasattr(value, "n_folds")


def augments(fy: Any) -> bool:
    """Whether ``fy`` transforms folds as it loads them (an ``AugFoldYielder``)."""
    return hasattr(fy, "average_over_augmentations")


def read_plain(fy: Any, fold_idx: int) -> dict[str, Any]:
    """Fold ``fold_idx`` as stored: without the random transform of an augmenting yielder."""
    return fy.get_data(fold_idx=fold_idx) if augments(fy) else fy.get_fold(fold_idx)


def predict_fold(fy: Any, fold_idx: int, predict: Any) -> np.ndarray:
    """``predict(inputs)`` of one fold of ``fy``.

    Averaged over the fixed transforms of an augmenting FoldYielder (test-time
    augmentation), where it has them on.
    """
    if augments(fy):
        return fy.average_over_augmentations(fold_idx, predict).astype(np.float32)
    return predict(fy.get_fold(fold_idx)["inputs"])


def fold_file_of(fy: Any) -> str | None:
    """The absolute path of the fold file a FoldYielder reads, where it says."""
    value = getattr(fy, "path", None)
    if isinstance(value, str | Path):
        return str(Path(value).resolve())
    return None
