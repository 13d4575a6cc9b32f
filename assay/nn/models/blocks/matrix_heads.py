"""Heads for matrix data (one row of features per object) and ``MultiHead`` for flat + matrix.

A fold file with matrix data yields inputs as a tuple ``(flat, matrix)``. The matrix is
``(batch, vecs, feats_per_vec)`` when stored row-wise (one row per object, e.g. per jet or
per time step), or ``(batch, feats_per_vec, vecs)`` column-wise; ``row_wise`` says which.
Matrix heads read the matrix (the second element of a tuple, or a 3-D tensor) and reduce it
to a flat vector: ``RecurrentHead`` runs an RNN, LSTM or GRU along the objects,
``Conv1DHead`` convolves along them. ``MultiHead`` sends the flat part to a flat head, the
matrix to a matrix head, and concatenates their outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models.activations import check_act, lookup_act
from assay.nn.models.blocks.heads import CatEmbHead, Head
from assay.nn.models.blocks.layers import check_positive, check_rate
from assay.nn.models.embedder import CatEmbedder
from assay.nn.models.initialisations import LookupInit

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
POOLS = ("mean", "max", "flatten")


def matrix_args_from_fy(fy: Any) -> dict[str, Any]:
    """``vecs``, ``feats_per_vec`` and ``row_wise`` of a FoldYielder's matrix, as loaded.

    Configure a matrix head for a fold file with
    ``partial(RecurrentHead, **matrix_args_from_fy(fy), width=16)``; ignored vectors and
    features are left out, as the FoldYielder leaves them out of the matrix it yields.

    Raises:
        InvalidArgument: When the fold file holds no matrix (or a higher-order tensor).
    """
    matrix = fy.matrix_feats
    if not matrix or matrix.get("kind") != "matrix":
        raise InvalidArgument(
            "fy must hold matrix inputs (df2foldfile's matrix_vecs and matrix_feats_per_vec) "
            "for a matrix head; it holds "
            f"{'none' if not matrix else matrix.get('kind')}."
        )
    ignored = set(fy.ignore_feats)
    return {
        "vecs": [name for name in matrix["vecs"] if name not in ignored],
        "feats_per_vec": [name for name in matrix["feats_per_vec"] if name not in ignored],
        "row_wise": bool(matrix["row_wise"]),
    }


class MatrixHead(Head):
    """Base of matrix heads: the objects (``vecs``), their features and the layout.

    Args:
        cont_feats: The flat continuous features (a matrix head does not read them).
        vecs: Names of the objects, the matrix's rows when row-wise.
        feats_per_vec: Names of each object's features.
        row_wise: The matrix is (objects x features); else (features x objects).
        cat_embedder: Unused by matrix heads; accepted because the builder passes it.
        lookup_init: Weight-initialisation lookup or its name.
        freeze: Start with the head's parameters untrainable.
    """

    def __init__(
        self,
        cont_feats: Sequence[str],
        vecs: Sequence[str],
        feats_per_vec: Sequence[str],
        row_wise: bool = True,
        cat_embedder: CatEmbedder | None = None,
        lookup_init: str | LookupInit = "normal",
        freeze: bool = False,
    ):
        super().__init__(cont_feats, None, lookup_init, freeze)
        self.vecs, self.feats_per_vec = list(vecs), list(feats_per_vec)
        if not self.vecs or not self.feats_per_vec:
            raise InvalidArgument(
                f"vecs and feats_per_vec must name the matrix's objects and their features; "
                f"got vecs={self.vecs} and feats_per_vec={self.feats_per_vec}."
            )
        self.row_wise = bool(row_wise)
        self.matrix_feats = [f"{v}_{f}" for v in self.vecs for f in self.feats_per_vec]

    def _map_outputs(self) -> None:
        """Every matrix feature reaches every output."""
        self.feat_map = {name: list(range(self.out_sz)) for name in self.matrix_feats}

    def matrix(self, x: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
        """The matrix of ``x`` as (batch, objects, features), whatever its layout."""
        if isinstance(x, (tuple, list)):
            x = x[-1]
        expected = (len(self.vecs), len(self.feats_per_vec))
        if not self.row_wise:
            expected = expected[::-1]
        if x.dim() != 3 or tuple(x.shape[1:]) != expected:
            raise InvalidArgument(
                f"{type(self).__name__} takes a matrix (batch, {expected[0]}, {expected[1]}) "
                f"(row_wise={self.row_wise}), alone or last in a (flat, matrix) tuple; got "
                f"shape {tuple(x.shape)}."
            )
        return x if self.row_wise else x.transpose(1, 2)


class RecurrentHead(MatrixHead):
    """An RNN, LSTM or GRU along the objects; the output is its last hidden state.

    Args:
        cont_feats: The flat continuous features (unused here).
        vecs: Names of the objects (the sequence).
        feats_per_vec: Names of each object's features.
        cell: ``"lstm"``, ``"gru"`` or ``"rnn"``.
        depth: Stacked recurrent layers.
        width: Hidden size.
        bidirectional: Run both ways and concatenate the two final states.
        do: Dropout between stacked layers.
        row_wise: The matrix is (objects x features); else (features x objects).
        cat_embedder: Unused; accepted because the builder passes it.
        lookup_init: Weight-initialisation lookup or its name (recurrent weights keep
            PyTorch's initialisation).
        freeze: Start with the head's parameters untrainable.
    """

    def __init__(
        self,
        cont_feats: Sequence[str],
        vecs: Sequence[str],
        feats_per_vec: Sequence[str],
        cell: str = "lstm",
        depth: int = 1,
        width: int = 32,
        bidirectional: bool = False,
        do: float = 0.0,
        row_wise: bool = True,
        cat_embedder: CatEmbedder | None = None,
        lookup_init: str | LookupInit = "normal",
        freeze: bool = False,
    ):
        super().__init__(cont_feats, vecs, feats_per_vec, row_wise, None, lookup_init, freeze)
        if not isinstance(cell, str) or cell.lower() not in CELLS:
            raise InvalidArgument(f"cell must be one of {', '.join(CELLS)}; got {cell!r}.")
        self.cell, self.bidirectional = cell.lower(), bool(bidirectional)
        self.depth, self.width = check_positive("depth", depth), check_positive("width", width)
        self.do = check_rate("do", do)
        self.rnn = CELLS[self.cell](
            input_size=len(self.feats_per_vec),
            hidden_size=self.width,
            num_layers=self.depth,
            batch_first=True,
            dropout=self.do if self.depth > 1 else 0.0,
            bidirectional=self.bidirectional,
        )
        self._map_outputs()
        self._finish()

    @property
    def out_sz(self) -> int:
        """The hidden size, twice when bidirectional."""
        return self.width * (2 if self.bidirectional else 1)

    def forward(self, x: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
        """The final hidden state of the last layer (both directions) for each sample."""
        _, state = self.rnn(self.matrix(x))
        hidden = state[0] if self.cell == "lstm" else state
        if self.bidirectional:
            return torch.cat((hidden[-2], hidden[-1]), 1)
        return hidden[-1]


class Conv1DHead(MatrixHead):
    """1D convolutions along the objects, each object's features as channels, then pooling.

    Each layer is ``Conv1d (same length) -> act -> BatchNorm -> Dropout``. ``pool`` reduces
    the objects: their mean or maximum per channel, or ``"flatten"`` to keep them all.

    Args:
        cont_feats: The flat continuous features (unused here).
        vecs: Names of the objects (the convolved axis).
        feats_per_vec: Names of each object's features (the input channels).
        channels: Output channels of each layer.
        kernel_size: Width of every kernel, in objects.
        act: Activation name.
        bn: Batch normalisation after each activation.
        do: Dropout rate after each layer.
        pool: ``"mean"``, ``"max"`` or ``"flatten"``.
        row_wise: The matrix is (objects x features); else (features x objects).
        cat_embedder: Unused; accepted because the builder passes it.
        lookup_init: Weight-initialisation lookup or its name.
        freeze: Start with the head's parameters untrainable.
    """

    def __init__(
        self,
        cont_feats: Sequence[str],
        vecs: Sequence[str],
        feats_per_vec: Sequence[str],
        channels: Sequence[int] = (32, 32),
        kernel_size: int = 3,
        act: str = "relu",
        bn: bool = False,
        do: float = 0.0,
        pool: str = "mean",
        row_wise: bool = True,
        cat_embedder: CatEmbedder | None = None,
        lookup_init: str | LookupInit = "normal",
        freeze: bool = False,
    ):
        super().__init__(cont_feats, vecs, feats_per_vec, row_wise, None, lookup_init, freeze)
        self.channels = [check_positive("channels", c) for c in channels]
        if not self.channels:
            raise InvalidArgument("channels must list at least one layer's channels; got [].")
        self.kernel_size = check_positive("kernel_size", kernel_size)
        self.act, self.bn, self.do = check_act(act), bool(bn), check_rate("do", do)
        if pool not in POOLS:
            raise InvalidArgument(f"pool must be one of {', '.join(POOLS)}; got {pool!r}.")
        self.pool = pool
        layers: list[nn.Module] = []
        fan_in = len(self.feats_per_vec)
        for fan_out in self.channels:
            conv = nn.Conv1d(fan_in, fan_out, self.kernel_size, padding="same")
            self.lookup_init(self.act, fan_in * self.kernel_size, fan_out)(conv.weight)
            nn.init.zeros_(conv.bias)
            layers.append(conv)
            if self.act not in ("linear", "identity"):
                layers.append(lookup_act(self.act))
            if self.bn:
                layers.append(nn.BatchNorm1d(fan_out))
            if self.do:
                layers.append(nn.Dropout(self.do))
            fan_in = fan_out
        self.layers = nn.Sequential(*layers)
        self._map_outputs()
        self._finish()

    @property
    def out_sz(self) -> int:
        """The last layer's channels, times the objects with ``pool="flatten"``."""
        return self.channels[-1] * (len(self.vecs) if self.pool == "flatten" else 1)

    def forward(self, x: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
        """Convolve along the objects and pool them to one vector per sample."""
        out = self.layers(self.matrix(x).transpose(1, 2))  # (batch, channels, objects)
        if self.pool == "mean":
            return out.mean(2)
        if self.pool == "max":
            return out.amax(2)
        return out.flatten(1)


class MultiHead(Head):
    """A flat head for the flat inputs and a matrix head for the matrix, concatenated.

    Inputs are ``(flat, matrix)`` tuples, as a FoldYielder gives for files with matrix data.

    Args:
        cont_feats: Names of the flat continuous features, in column order.
        matrix_head: Matrix head class, configured with ``functools.partial`` (e.g.
            ``partial(RecurrentHead, vecs=..., feats_per_vec=...)``).
        flat_head: Flat head class (or partial); ``CatEmbHead`` by default.
        cat_embedder: The categorical flat features and their embedding sizes, if any.
        lookup_init: Weight-initialisation lookup or its name.
        freeze: Start with both heads' parameters untrainable.
    """

    def __init__(
        self,
        cont_feats: Sequence[str],
        matrix_head: Callable[..., MatrixHead],
        flat_head: Callable[..., Head] = CatEmbHead,
        cat_embedder: CatEmbedder | None = None,
        lookup_init: str | LookupInit = "normal",
        freeze: bool = False,
    ):
        super().__init__(cont_feats, cat_embedder, lookup_init, freeze)
        shared = {"lookup_init": self.lookup_init, "freeze": self.freeze}
        self.flat_head = flat_head(cont_feats=self.cont_feats, cat_embedder=cat_embedder, **shared)
        self.matrix_head = matrix_head(cont_feats=[], cat_embedder=None, **shared)
        offset = self.flat_head.out_sz
        self.feat_map = dict(self.flat_head.feat_map)
        for name, columns in self.matrix_head.feat_map.items():
            self.feat_map[name] = [offset + c for c in columns]
        self._finish()

    @property
    def out_sz(self) -> int:
        """The flat head's width plus the matrix head's."""
        return self.flat_head.out_sz + self.matrix_head.out_sz

    def forward(self, x: Sequence[torch.Tensor]) -> torch.Tensor:
        """Flat inputs through the flat head, the matrix through the matrix head."""
        if not isinstance(x, (tuple, list)) or len(x) != 2:
            raise InvalidArgument(
                "MultiHead takes inputs as a (flat, matrix) tuple, as a FoldYielder gives them "
                "for files with matrix data."
            )
        return torch.cat((self.flat_head(x[0]), self.matrix_head(x[1])), 1)
