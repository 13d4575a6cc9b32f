"""Bodies: the hidden layers between the head and the tail, flat in and flat out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models.activations import check_act, lookup_act
from assay.nn.models.blocks.base import Block
from assay.nn.models.blocks.layers import check_positive, check_rate, dense_layer
from assay.nn.models.initialisations import LookupInit


class Body(Block):
    """Base of bodies: the input width, the head's ``feat_map`` and the activation lookup.

    Args:
        n_in: Width of the head's output.
        feat_map: Which of those columns each input feature reaches (from the head).
        lookup_init: Weight-initialisation lookup or its name.
        lookup_act: ``name -> activation layer``.
        freeze: Start with the body's parameters untrainable.
    """

    def __init__(
        self,
        n_in: int,
        feat_map: Mapping[str, Sequence[int]] | None = None,
        lookup_init: str | LookupInit = "normal",
        lookup_act: Callable[[str], nn.Module] = lookup_act,
        freeze: bool = False,
    ):
        super().__init__(lookup_init=lookup_init, freeze=freeze)
        self.n_in = check_positive("n_in", n_in)
        self.feat_map = {k: list(v) for k, v in (feat_map or {}).items()}
        self.lookup_act = lookup_act


class FullyConnected(Body):
    """Dense hidden layers, each ``Linear -> act -> BatchNorm -> Dropout``.

    Plain, the layers run in sequence, widths ``width + width * i * growth_rate``. With
    ``res``, every layer after the first adds its input to its output (a skip connection;
    all layers are ``width`` wide). With ``dense``, every layer sees the block's input and
    the outputs of all layers before it, concatenated (DenseNet style); the block's output
    is the last layer's.

    Args:
        n_in: Width of the head's output.
        feat_map: Which of those columns each input feature reaches.
        depth: Number of hidden layers.
        width: Width of the first hidden layer (and of all, unless ``growth_rate``).
        do: Dropout rate after each layer.
        bn: Batch normalisation after each activation.
        act: Activation name (see ``activations.ACTIVATIONS``).
        res: Residual (additive) skip connections.
        dense: Concatenating (dense) connections; not with ``res``.
        growth_rate: Relative change of width per layer (may be negative); not with ``res``.
        lookup_init: Weight-initialisation lookup or its name.
        lookup_act: ``name -> activation layer``.
        freeze: Start with the body's parameters untrainable.
    """

    def __init__(
        self,
        n_in: int,
        feat_map: Mapping[str, Sequence[int]] | None = None,
        depth: int = 3,
        width: int = 100,
        do: float = 0.0,
        bn: bool = False,
        act: str = "relu",
        res: bool = False,
        dense: bool = False,
        growth_rate: float = 0.0,
        lookup_init: str | LookupInit = "normal",
        lookup_act: Callable[[str], nn.Module] = lookup_act,
        freeze: bool = False,
    ):
        super().__init__(n_in, feat_map, lookup_init, lookup_act, freeze)
        self.depth, self.width = check_positive("depth", depth), check_positive("width", width)
        self.do, self.bn, self.act = check_rate("do", do), bool(bn), check_act(act)
        self.res, self.dense, self.growth_rate = bool(res), bool(dense), float(growth_rate)
        if self.res and self.dense:
            raise InvalidArgument("res and dense cannot both be set; choose one kind of skip.")
        if self.res and self.growth_rate:
            raise InvalidArgument("growth_rate must be 0 with res: residual layers keep one width.")
        widths = [max(1, round(self.width * (1 + i * self.growth_rate))) for i in range(self.depth)]
        fan_ins = [self.n_in]
        for i in range(1, self.depth):
            fan_ins.append(fan_ins[-1] + widths[i - 1] if self.dense else widths[i - 1])
        self.layers = nn.ModuleList(
            [self._layer(fan_in, fan_out) for fan_in, fan_out in zip(fan_ins, widths, strict=True)]
        )
        self._out_sz = widths[-1]
        self._finish()

    def _layer(self, fan_in: int, fan_out: int) -> nn.Sequential:
        return dense_layer(
            fan_in, fan_out, self.act, self.lookup_init, self.lookup_act, self.bn, self.do
        )

    @property
    def out_sz(self) -> int:
        """Width of the last hidden layer."""
        return self._out_sz

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pass ``x`` through the layers, with the skip connections chosen."""
        if self.dense:
            for layer in self.layers[:-1]:
                x = torch.cat((x, layer(x)), 1)
            return self.layers[-1](x)
        for i, layer in enumerate(self.layers):
            x = layer(x) + x if self.res and i > 0 else layer(x)
        return x


class MultiBlock(Body):
    """Bodies side by side, each fed a chosen subset of the features (e.g. wide and deep).

    The head's ``feat_map`` says which of its output columns carry each feature; each block
    gets the columns of its features, and the outputs of all blocks are concatenated. With
    ``bottleneck_sz``, each block also gets a small learned summary (a linear layer) of the
    features it is not given.

    Args:
        n_in: Width of the head's output.
        feat_map: Which of those columns each input feature reaches.
        blocks: Body classes (use ``functools.partial`` to configure them), one per group.
        feats_per_block: The feature names each block gets.
        bottleneck_sz: Width of each block's summary of the other features (0: none).
        bottleneck_act: Activation of the summary; linear by default.
        lookup_init: Weight-initialisation lookup or its name.
        lookup_act: ``name -> activation layer``.
        freeze: Start with the body's parameters untrainable.
    """

    def __init__(
        self,
        n_in: int,
        feat_map: Mapping[str, Sequence[int]],
        blocks: Sequence[Callable[..., Body]],
        feats_per_block: Sequence[Sequence[str]],
        bottleneck_sz: int = 0,
        bottleneck_act: str | None = None,
        lookup_init: str | LookupInit = "normal",
        lookup_act: Callable[[str], nn.Module] = lookup_act,
        freeze: bool = False,
    ):
        super().__init__(n_in, feat_map, lookup_init, lookup_act, freeze)
        if not blocks or len(blocks) != len(feats_per_block):
            raise InvalidArgument(
                f"blocks and feats_per_block must be non-empty lists of one length; got "
                f"{len(blocks)} blocks and {len(feats_per_block)} feature lists."
            )
        unknown = sorted({f for fs in feats_per_block for f in fs} - set(self.feat_map))
        if unknown:
            raise InvalidArgument(
                f"feats_per_block names features the head does not give: {unknown}; the head "
                f"gives {sorted(self.feat_map)}."
            )
        if (
            isinstance(bottleneck_sz, bool)
            or not isinstance(bottleneck_sz, int)
            or bottleneck_sz < 0
        ):
            raise InvalidArgument(f"bottleneck_sz must be an integer >= 0; got {bottleneck_sz!r}.")
        self.bottleneck_sz = bottleneck_sz
        self.bottleneck_act = "linear" if bottleneck_act is None else check_act(bottleneck_act)
        self.feats_per_block = [list(fs) for fs in feats_per_block]
        built, bottlenecks = [], []
        for i, (block, feats) in enumerate(zip(blocks, self.feats_per_block, strict=True)):
            columns = [c for f in feats for c in self.feat_map[f]]
            self.register_buffer(f"_cols_{i}", torch.tensor(columns, dtype=torch.long), False)
            if self.bottleneck_sz:
                others = sorted({c for c in range(self.n_in)} - set(columns))
                self.register_buffer(f"_others_{i}", torch.tensor(others, dtype=torch.long), False)
                bottlenecks.append(self._bottleneck(len(others)))
            sub_map = {f: self.feat_map[f] for f in feats}
            built.append(self._block(block, len(columns) + self.bottleneck_sz, sub_map))
        self.blocks = nn.ModuleList(built)
        self.bottlenecks = nn.ModuleList(bottlenecks)
        self._out_sz = sum(b.out_sz for b in self.blocks)
        self._finish()

    def _block(self, block: Callable[..., Body], n_in: int, sub_map: dict[str, Any]) -> Body:
        return block(
            n_in=n_in,
            feat_map=sub_map,
            lookup_init=self.lookup_init,
            lookup_act=self.lookup_act,
            freeze=self.freeze,
        )

    def _bottleneck(self, n_others: int) -> nn.Sequential:
        if n_others == 0:
            raise InvalidArgument(
                "bottleneck_sz needs features outside each block; one block gets them all."
            )
        return dense_layer(
            n_others, self.bottleneck_sz, self.bottleneck_act, self.lookup_init, self.lookup_act
        )

    @property
    def out_sz(self) -> int:
        """Sum of the blocks' output widths."""
        return self._out_sz

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Each block on its own columns (plus its bottleneck summary); outputs concatenated."""
        outputs = []
        for i, block in enumerate(self.blocks):
            part = x[:, getattr(self, f"_cols_{i}")]
            if self.bottleneck_sz:
                summary = self.bottlenecks[i](x[:, getattr(self, f"_others_{i}")])
                part = torch.cat((part, summary), 1)
            outputs.append(block(part))
        return torch.cat(outputs, 1)
