"""From a fold's NumPy arrays to the tensors a model takes, once per fold.

Flat inputs become float32 tensors without a copy where the array already is float32 and
contiguous; a tuple of inputs (flat and matrix data) becomes a tuple of tensors. Targets
become float32 columns, one row per sample; the ModelBuilder's loss shapes them further
(class indices for a multiclass model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch


def as_inputs(inputs: Any, device: Any) -> Any:
    """Inputs as a float32 tensor on ``device``, or a tuple of them (flat and matrix data)."""
    if isinstance(inputs, list | tuple):
        return tuple(_float_tensor(part, device) for part in inputs)
    return _float_tensor(inputs, device)


def as_targets(targets: Any, device: Any) -> torch.Tensor:
    """Targets as float32 columns, one row per sample.

    The loss takes class indices from them for a multiclass model.
    """
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
