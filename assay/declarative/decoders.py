"""Decoders by name: how the combined vector becomes an output feature's raw outputs.

A decoder returns logits or values; the output feature's type adds what its loss expects
(a sigmoid for binary outputs) and turns predictions back into values.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import torch
from torch import nn

from assay.declarative.blocks import fc_stack
from assay.plugins.registry import ClassRegistry


class Decoder(nn.Module):
    """The base of every decoder: ``forward(hidden)`` returns ``(batch, output_size)``.

    Attributes:
        produces: What it outputs: ``number`` (regression) or ``classes`` (a score per class).
    """

    produces: ClassVar[tuple[str, ...]] = ()

    def __init__(self, input_size: int, output_size: int) -> None:
        super().__init__()
        self.input_size = input_size
        self.output_size = output_size


decoder_registry: ClassRegistry[Decoder] = ClassRegistry(Decoder, "decoder", group="assay.decoders")


class _Projection(Decoder):
    """Fully connected layers, then one linear layer to the outputs."""

    def __init__(
        self,
        input_size: int,
        output_size: int,
        num_fc_layers: int = 0,
        fc_size: int = 32,
        activation: Literal["relu", "tanh", "sigmoid", "gelu", "elu", "linear"] = "relu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_size, output_size)
        self.fc, width = fc_stack(input_size, num_fc_layers, fc_size, activation, dropout)
        self.projection = nn.Linear(width, output_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        """The layers, then the projection to ``output_size`` values."""
        return self.projection(self.fc(hidden))


@decoder_registry.register("regressor")
class Regressor(_Projection):
    """A number per output (numerical features).

    Args:
        input_size: The combined vector's width (supplied by assay).
        output_size: How many numbers (supplied by assay).
        num_fc_layers: Fully connected layers before the output layer.
        fc_size: Units per layer.
        activation: After each layer: relu, tanh, sigmoid, gelu, elu or linear.
        dropout: Dropout after each layer, in [0, 1).
    """

    produces = ("number",)


@decoder_registry.register("classifier")
class Classifier(_Projection):
    """A score (logit) per class; one for a binary feature.

    Args:
        input_size: The combined vector's width (supplied by assay).
        output_size: How many classes (1 for binary; supplied by assay).
        num_fc_layers: Fully connected layers before the output layer.
        fc_size: Units per layer.
        activation: After each layer: relu, tanh, sigmoid, gelu, elu or linear.
        dropout: Dropout after each layer, in [0, 1).
    """

    produces = ("classes",)
