"""Encoders by name: how one input feature's tensor becomes a vector (004's encoders).

Each takes the sample shape and the feature's metadata first (assay supplies them), then its
own parameters, every one with a default, as 004 asks. ``accepts`` says which kinds of input
it reads, so one encoder serves every feature type that produces that kind: ``rnn`` and
``parallel_cnn`` read text and sequences (token indices) and time series (numbers) alike.

Kinds: ``vector`` (numbers), ``index`` (one category index, -1 for unknown), ``tokens``
(token indices, 0 is padding), ``series`` (numbers per step), ``image`` (flattened pixels,
channels first).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import torch
from torch import nn

from assay.declarative.blocks import ACTIVATIONS, fc_stack, reduce_sequence
from assay.plugins.registry import ClassRegistry


class Encoder(nn.Module):
    """The base of every encoder: ``forward(inputs)`` returns ``(batch, output_size)``.

    Attributes:
        accepts: The kinds of input the encoder reads.
        output_size: The width of its output, set by the constructor.
    """

    accepts: ClassVar[tuple[str, ...]] = ()

    def __init__(self, input_shape: tuple[int, ...], meta: dict[str, Any]) -> None:
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.meta = meta
        self.output_size = math.prod(self.input_shape)


encoder_registry: ClassRegistry[Encoder] = ClassRegistry(Encoder, "encoder", group="assay.encoders")


@encoder_registry.register("passthrough")
class Passthrough(Encoder):
    """The values as they are, flattened: a numerical or binary feature fed straight in."""

    accepts = ("vector",)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """The input, flattened."""
        return inputs.reshape(len(inputs), -1).float()


@encoder_registry.register("dense")
class Dense(Encoder):
    """Fully connected layers over the values (or an image's pixels).

    Args:
        input_shape: One sample's shape (supplied by assay).
        meta: The feature's metadata (supplied by assay).
        num_layers: How many layers.
        fc_size: Units per layer.
        activation: After each layer: relu, tanh, sigmoid, gelu, elu or linear.
        dropout: Dropout after each layer, in [0, 1).
    """

    accepts = ("vector", "image")

    def __init__(
        self,
        input_shape: tuple[int, ...],
        meta: dict[str, Any],
        num_layers: int = 1,
        fc_size: int = 32,
        activation: Literal["relu", "tanh", "sigmoid", "gelu", "elu", "linear"] = "relu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_shape, meta)
        width = math.prod(self.input_shape)
        self.layers, self.output_size = fc_stack(width, num_layers, fc_size, activation, dropout)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """The layers over the flattened input."""
        return self.layers(inputs.reshape(len(inputs), -1).float())


@encoder_registry.register("embed")
class Embed(Encoder):
    """A learned vector per category (index -1, a category never seen, has its own).

    Args:
        input_shape: One sample's shape (supplied by assay).
        meta: The feature's metadata, with ``vocab_size`` (supplied by assay).
        embedding_size: The width of each category's vector.
        dropout: Dropout on the vector, in [0, 1).
    """

    accepts = ("index",)

    def __init__(
        self,
        input_shape: tuple[int, ...],
        meta: dict[str, Any],
        embedding_size: int = 16,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_shape, meta)
        self.embedding = nn.Embedding(int(meta["vocab_size"]) + 1, embedding_size)
        self.dropout = nn.Dropout(dropout)
        self.output_size = embedding_size * math.prod(self.input_shape)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Each category's vector (indices shifted by one: 0 is 'unknown')."""
        index = (inputs.reshape(len(inputs), -1).long() + 1).clamp(min=0)
        return self.dropout(self.embedding(index)).reshape(len(inputs), -1)


class SequenceEncoder(Encoder):
    """What the sequence encoders share: token indices are embedded, numbers are one channel."""

    accepts = ("tokens", "series")

    def embed_steps(self, embedding_size: int) -> int:
        """Set up the per-step input; returns its width."""
        self.tokens = self.meta.get("kind") == "tokens"
        if self.tokens:
            self.embedding = nn.Embedding(int(self.meta["vocab_size"]), embedding_size, 0)
            return embedding_size
        return 1

    def steps(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(batch, steps, width)`` and each row's real length (None for series)."""
        if self.tokens:
            index = inputs.long()
            return self.embedding(index), (index != 0).sum(dim=1)
        return inputs.float().unsqueeze(-1), None


@encoder_registry.register("rnn")
class RNN(SequenceEncoder):
    """A recurrent network over the steps, reduced to one vector.

    Args:
        input_shape: One sample's shape, ``(steps,)`` (supplied by assay).
        meta: The feature's metadata: ``kind`` and, for tokens, ``vocab_size`` (supplied
            by assay).
        embedding_size: The width of each token's vector (time series are read as they are).
        cell_type: ``lstm``, ``gru`` or ``rnn``.
        state_size: The width of the hidden state.
        num_layers: Stacked recurrent layers.
        bidirectional: Read the steps in both directions.
        dropout: Dropout between recurrent layers, in [0, 1).
        reduce_output: How the steps' outputs become one: last (the last real step), mean,
            max or sum.
    """

    def __init__(
        self,
        input_shape: tuple[int, ...],
        meta: dict[str, Any],
        embedding_size: int = 32,
        cell_type: Literal["lstm", "gru", "rnn"] = "lstm",
        state_size: int = 32,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        reduce_output: Literal["last", "mean", "max", "sum"] = "last",
    ) -> None:
        super().__init__(input_shape, meta)
        width = self.embed_steps(embedding_size)
        cell = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell_type]
        self.recurrent = cell(
            width,
            state_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.reduce_output = reduce_output
        self.output_size = state_size * (2 if bidirectional else 1)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """The recurrent outputs of every step, reduced."""
        steps, lengths = self.steps(inputs)
        hidden, _ = self.recurrent(steps)
        return reduce_sequence(hidden, self.reduce_output, lengths)


@encoder_registry.register("parallel_cnn")
class ParallelCNN(SequenceEncoder):
    """Convolutions of several widths side by side over the steps, each max-pooled.

    Args:
        input_shape: One sample's shape, ``(steps,)`` (supplied by assay).
        meta: The feature's metadata: ``kind`` and, for tokens, ``vocab_size`` (supplied
            by assay).
        embedding_size: The width of each token's vector (time series are read as they are).
        num_filters: Filters per convolution.
        filter_sizes: The widths of the parallel convolutions (None: 2, 3, 4 and 5).
        activation: After each convolution: relu, tanh, sigmoid, gelu, elu or linear.
        dropout: Dropout on the output, in [0, 1).
    """

    def __init__(
        self,
        input_shape: tuple[int, ...],
        meta: dict[str, Any],
        embedding_size: int = 32,
        num_filters: int = 16,
        filter_sizes: list[int] | None = None,
        activation: Literal["relu", "tanh", "sigmoid", "gelu", "elu", "linear"] = "relu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_shape, meta)
        width = self.embed_steps(embedding_size)
        sizes = list(filter_sizes or [2, 3, 4, 5])
        self.convolutions = nn.ModuleList(
            nn.Conv1d(width, num_filters, size, padding=size // 2) for size in sizes
        )
        self.activation = ACTIVATIONS[activation]()
        self.dropout = nn.Dropout(dropout)
        self.output_size = num_filters * len(sizes)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Each convolution's strongest response, side by side."""
        steps, _ = self.steps(inputs)
        channels = steps.transpose(1, 2)
        pooled = [self.activation(conv(channels)).amax(dim=2) for conv in self.convolutions]
        return self.dropout(torch.cat(pooled, dim=1))


@encoder_registry.register("stacked_cnn")
class StackedCNN(Encoder):
    """Convolution and pooling layers over an image, then fully connected layers.

    Args:
        input_shape: One sample's shape, the flattened pixels (supplied by assay).
        meta: The feature's metadata: ``channels``, ``height``, ``width`` (supplied by
            assay).
        num_layers: Convolution layers, each followed by max pooling.
        num_filters: Filters of the first layer (doubled by each next one).
        kernel_size: The convolutions' size.
        pool_size: The pooling's size (a layer whose input is smaller pools no further).
        fc_size: Units of the fully connected layer after them (0: none).
        dropout: Dropout before the fully connected layer, in [0, 1).
    """

    accepts = ("image",)

    def __init__(
        self,
        input_shape: tuple[int, ...],
        meta: dict[str, Any],
        num_layers: int = 2,
        num_filters: int = 16,
        kernel_size: int = 3,
        pool_size: int = 2,
        fc_size: int = 64,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_shape, meta)
        self.image_shape = (int(meta["channels"]), int(meta["height"]), int(meta["width"]))
        channels, height, width = self.image_shape
        layers: list[nn.Module] = []
        for layer in range(num_layers):
            filters = num_filters * 2**layer
            layers += [nn.Conv2d(channels, filters, kernel_size, padding=kernel_size // 2)]
            layers.append(nn.ReLU())
            if min(height, width) >= pool_size > 1:
                layers.append(nn.MaxPool2d(pool_size))
                height, width = height // pool_size, width // pool_size
            channels = filters
        self.convolutions = nn.Sequential(*layers, nn.Flatten(), nn.Dropout(dropout))
        flat = channels * height * width
        self.fc, self.output_size = fc_stack(flat, 1 if fc_size else 0, fc_size, "relu", 0.0)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """The image's pixels through the convolutions and the fully connected layer."""
        images = inputs.float().reshape(len(inputs), *self.image_shape)
        return self.fc(self.convolutions(images))
