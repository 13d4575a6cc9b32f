"""Argument checks shared by Model, train_models and Ensemble: one message shape for each."""

from __future__ import annotations

from typing import Any

from assay.errors import InvalidArgument
from assay.nn.folds import is_fold_yielder


def check_positive(value: Any, name: str) -> int:
    """A positive int, or InvalidArgument naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument(f"{name} must be a positive int; got {value!r}.")
    return value


def check_model_builder(model_builder: Any) -> None:
    """Refuse anything that cannot build models like a ModelBuilder."""
    if not hasattr(model_builder, "get_model"):
        raise InvalidArgument(
            "model_builder must be a ModelBuilder (an object with get_model()); "
            f"got {type(model_builder).__name__}."
        )


def check_fold_yielder(fy: Any, name: str) -> None:
    """Refuse anything that does not read folds like a FoldYielder."""
    if not is_fold_yielder(fy):
        raise InvalidArgument(
            f"{name} must be a FoldYielder (assay.nn.FoldYielder(path)); got {type(fy).__name__}."
        )


def check_fold_index(index: Any, n_folds: int, name: str) -> int:
    """A fold index in ``range(n_folds)``."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n_folds:
        raise InvalidArgument(
            f"{name} must be a fold index from 0 to {n_folds - 1}; got {index!r}."
        )
    return index


def check_folds(n_folds: int, trn_idxs: Any, val_idx: Any) -> tuple[list[int], int | None]:
    """The training folds (every fold but ``val_idx`` by default) and the validation fold.

    Raises:
        InvalidArgument: An index out of range, a repeated fold, the validation fold among
            the training folds, or no training fold left.
    """
    if val_idx is not None:
        check_fold_index(val_idx, n_folds, "val_idx")
    if trn_idxs is None:
        trn_idxs = [i for i in range(n_folds) if i != val_idx]
    elif not isinstance(trn_idxs, list | tuple | range):
        raise InvalidArgument(f"trn_idxs must be a list of fold indices; got {trn_idxs!r}.")
    trn_idxs = [check_fold_index(i, n_folds, "trn_idxs") for i in trn_idxs]
    if len(set(trn_idxs)) != len(trn_idxs):
        raise InvalidArgument(f"trn_idxs must not repeat a fold; got {trn_idxs!r}.")
    if val_idx is not None and val_idx in trn_idxs:
        raise InvalidArgument(
            f"val_idx {val_idx} is also in trn_idxs {trn_idxs}; validate on a fold the "
            "model does not train on."
        )
    if not trn_idxs:
        raise InvalidArgument(
            f"there is no fold left to train on (the file has {n_folds} fold(s), and "
            f"val_idx is {val_idx}); write the file with more folds."
        )
    return trn_idxs, val_idx


def check_callbacks(cbs: Any, name: str) -> list[Any]:
    """A list of Callback instances (None is none)."""
    from assay.nn.callbacks.base import Callback

    if cbs is None:
        return []
    if not isinstance(cbs, list | tuple):
        raise InvalidArgument(f"{name} must be a list of Callbacks; got {type(cbs).__name__}.")
    for i, cb in enumerate(cbs):
        if not isinstance(cb, Callback):
            hint = " (a class: pass an instance, cb())" if isinstance(cb, type) else ""
            raise InvalidArgument(f"{name}[{i}] must be a Callback instance{hint}; got {cb!r}.")
    return list(cbs)
