"""From a fold's NumPy arrays to the tensors a model takes, and the loss a fit computes.

Flat inputs become float32 tensors without a copy where the array already is float32 and
contiguous; a tuple of inputs (flat and matrix data) becomes a tuple of tensors. Targets
take the shape the loss expects: class indices (int64, one per row) for a multiclass model,
float32 columns (one per output) otherwise.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    import torch


def as_inputs(inputs: Any, device: Any) -> Any:
    """Inputs as a float32 tensor on ``device``, or a tuple of them (flat and matrix data)."""
    if isinstance(inputs, list | tuple):
        return tuple(_float_tensor(part, device) for part in inputs)
    return _float_tensor(inputs, device)


def as_targets(targets: Any, objective: str | None, device: Any) -> torch.Tensor:
    """Targets as the loss takes them: int64 class indices for 'multiclass', else float32
    with one column per output."""
    import torch

    if objective == "multiclass":
        array = np.asarray(targets)
        if array.ndim > 1 and array.shape[1] > 1:
            raise InvalidArgument(
                "multiclass targets must be one class index per row; got an array of shape "
                f"{array.shape} (one-hot?). Store the class index in the fold file."
            )
        return torch.as_tensor(array.reshape(-1).astype(np.int64), device=device)
    tensor = _float_tensor(targets, device)
    return tensor.reshape(len(tensor), -1)


def as_weights(weights: Any, device: Any) -> torch.Tensor | None:
    """Weights as a float32 tensor of one value per row, or None."""
    if weights is None:
        return None
    return _float_tensor(weights, device).reshape(-1)


def _float_tensor(value: Any, device: Any) -> torch.Tensor:
    import torch

    if isinstance(value, torch.Tensor):
        return value.to(device=device, dtype=torch.float32)
    array = np.ascontiguousarray(value, dtype=np.float32)
    return torch.from_numpy(array).to(device)


def n_rows(inputs: Any) -> int:
    """The number of rows of inputs (of the first tensor of a tuple)."""
    return len(inputs[0] if isinstance(inputs, tuple) else inputs)


LossFn = Callable[[Any, Any, Any], Any]


def make_loss(loss: Any, weighted: bool) -> LossFn:
    """``loss_fn(y_pred, y, w)`` from a loss module; weighted per row when ``weighted``.

    The weighted loss is the mean over rows of weight times the row's loss (its mean over
    outputs): ``mean(w * l)``, which is the plain mean when every weight is 1. It needs the
    loss per row, so the loss must have a ``reduction`` (every torch loss does); a copy of it
    with ``reduction="none"`` computes it. A batch without weights (``w`` None) takes the
    loss as it is.

    Raises:
        InvalidArgument: Weighting was asked for and the loss has no ``reduction``.
    """
    if not weighted:
        return lambda y_pred, y, w: loss(y_pred, y)
    if not hasattr(loss, "reduction"):
        raise InvalidArgument(
            f"train_on_weights needs a loss with a 'reduction' attribute (as every torch loss "
            f"has) to weight each row; got {type(loss).__name__}. Pass "
            "train_on_weights=False, or a torch.nn loss."
        )
    per_row = copy.copy(loss)
    per_row.reduction = "none"

    def weighted_loss(y_pred: Any, y: Any, w: Any) -> Any:
        if w is None:
            return loss(y_pred, y)
        rows = per_row(y_pred, y)
        if rows.ndim > 1:
            rows = rows.reshape(len(rows), -1).mean(1)
        return (rows * w).mean()

    return weighted_loss
