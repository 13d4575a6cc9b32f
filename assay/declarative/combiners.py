"""Combiners by name: how the input features' encodings are joined into one vector."""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from assay.declarative.blocks import fc_stack
from assay.plugins.registry import ClassRegistry


class Combiner(nn.Module):
    """The base of every combiner: ``forward(encodings)`` returns ``(batch, output_size)``."""

    def __init__(self, input_sizes: list[int]) -> None:
        super().__init__()
        self.input_sizes = list(input_sizes)
        self.output_size = sum(self.input_sizes)


combiner_registry: ClassRegistry[Combiner] = ClassRegistry(
    Combiner, "combiner", group="assay.combiners"
)


@combiner_registry.register("concat")
class Concat(Combiner):
    """The encodings side by side, then optional fully connected layers.

    Args:
        input_sizes: The width of each input feature's encoding (supplied by assay).
        num_fc_layers: Fully connected layers after the concatenation.
        fc_size: Units per layer.
        activation: After each layer: relu, tanh, sigmoid, gelu, elu or linear.
        dropout: Dropout after each layer, in [0, 1).
    """

    def __init__(
        self,
        input_sizes: list[int],
        num_fc_layers: int = 1,
        fc_size: int = 64,
        activation: Literal["relu", "tanh", "sigmoid", "gelu", "elu", "linear"] = "relu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_sizes)
        self.fc, self.output_size = fc_stack(
            sum(self.input_sizes), num_fc_layers, fc_size, activation, dropout
        )

    def forward(self, encodings: list[torch.Tensor]) -> torch.Tensor:
        """The encodings concatenated, through the layers."""
        return self.fc(torch.cat(encodings, dim=1))
