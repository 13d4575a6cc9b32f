"""Small PyTorch pieces the encoders, the combiner and the decoders share."""

from __future__ import annotations

import torch
from torch import nn

#: Activations by the name a configuration gives.
ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "elu": nn.ELU,
    "linear": nn.Identity,
}


def fc_stack(
    input_size: int, num_layers: int, size: int, activation: str, dropout: float
) -> tuple[nn.Module, int]:
    """``num_layers`` fully connected layers of ``size`` units; returns them and their width.

    Args:
        input_size: The width of what comes in.
        num_layers: How many layers (0: the input passes through unchanged).
        size: Units per layer.
        activation: A name in ``ACTIVATIONS``, applied after each layer.
        dropout: Dropout after each layer.
    """
    layers: list[nn.Module] = []
    width = input_size
    for _ in range(num_layers):
        layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = size
    return nn.Sequential(*layers), width


def reduce_sequence(hidden: torch.Tensor, mode: str, lengths: torch.Tensor | None) -> torch.Tensor:
    """``(batch, steps, width)`` to ``(batch, width)``: the last real step, mean, max or sum.

    Args:
        hidden: The per-step outputs.
        mode: ``"last"``, ``"mean"``, ``"max"`` or ``"sum"``.
        lengths: Each row's real length (padding excluded); None: every step is real.
    """
    steps = hidden.shape[1]
    if lengths is None:
        lengths = torch.full((hidden.shape[0],), steps, dtype=torch.long)
    lengths = lengths.clamp(min=1, max=steps)
    if mode == "last":
        index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, hidden.shape[2])
        return hidden.gather(1, index).squeeze(1)
    mask = (torch.arange(steps).view(1, -1) < lengths.view(-1, 1)).unsqueeze(-1)
    if mode == "max":
        return hidden.masked_fill(~mask, float("-inf")).max(dim=1).values
    total = (hidden * mask).sum(dim=1)
    return total if mode == "sum" else total / lengths.view(-1, 1).to(hidden.dtype)
