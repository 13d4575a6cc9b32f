"""Heads: the first block, taking the data's inputs to one flat vector per sample.

Flat inputs are one float tensor (batch, n_cont + n_cat): the continuous features first, in
the order of ``cont_feats``, then the categorical codes in the order of the embedder's names
(the column order of a fold file's ``inputs``). Every head records ``feat_map``, which output
columns each input feature reaches, so that bodies can route features (``MultiBlock``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models.blocks.base import Block
from assay.nn.models.blocks.layers import check_rate
from assay.nn.models.embedder import CatEmbedder
from assay.nn.models.initialisations import LookupInit


class Head(Block):
    """Base of heads: the continuous feature names, the categorical embedder, ``feat_map``.

    Args:
        cont_feats: Names of the continuous input features, in column order.
        cat_embedder: The categorical features and their embedding sizes, if any.
        lookup_init: Weight-initialisation lookup or its name.
        freeze: Start with the head's parameters untrainable.
    """

    def __init__(
        self,
        cont_feats: Sequence[str],
        cat_embedder: CatEmbedder | None = None,
        lookup_init: str | LookupInit = "normal",
        freeze: bool = False,
    ):
        super().__init__(lookup_init=lookup_init, freeze=freeze)
        if isinstance(cont_feats, str) or not isinstance(cont_feats, Sequence):
            raise InvalidArgument(f"cont_feats must be a list of names; got {cont_feats!r}.")
        if cat_embedder is not None and not isinstance(cat_embedder, CatEmbedder):
            raise InvalidArgument(
                f"cat_embedder must be a CatEmbedder or None; got {type(cat_embedder).__name__}."
            )
        self.cont_feats = list(cont_feats)
        self.cat_embedder = cat_embedder
        self.cat_feats = [] if cat_embedder is None else list(cat_embedder.cat_names)
        self.feat_map: dict[str, list[int]] = {}


class CatEmbHead(Head):
    """The default head for flat data: continuous inputs and embedded categorical inputs.

    Continuous inputs pass through an optional dropout layer; each categorical input is
    looked up in its own embedding matrix, and the embeddings pass through an optional
    dropout layer. The output is ``[continuous, embeddings...]``, of width ``out_sz``.

    Args:
        cont_feats: Names of the continuous input features, in column order.
        do_cont: Dropout rate on the continuous inputs.
        do_cat: Dropout rate on the concatenated embeddings.
        cat_embedder: The categorical features and their embedding sizes, if any.
        lookup_init: Weight-initialisation lookup or its name.
        freeze: Start with the head's parameters untrainable.
    """

    def __init__(
        self,
        cont_feats: Sequence[str],
        do_cont: float = 0.0,
        do_cat: float = 0.0,
        cat_embedder: CatEmbedder | None = None,
        lookup_init: str | LookupInit = "normal",
        freeze: bool = False,
    ):
        super().__init__(cont_feats, cat_embedder, lookup_init, freeze)
        self.do_cont, self.do_cat = check_rate("do_cont", do_cont), check_rate("do_cat", do_cat)
        self.n_cont_in, self.n_cat_in = len(self.cont_feats), len(self.cat_feats)
        embedder = cat_embedder if cat_embedder is not None else CatEmbedder([], [])
        self.embeds = nn.ModuleList([nn.Embedding(n, sz) for _, n, sz in embedder])
        self.cont_do = nn.Dropout(self.do_cont) if self.do_cont > 0 else nn.Identity()
        self.cat_do = nn.Dropout(self.do_cat) if self.do_cat > 0 else nn.Identity()
        self._out_sz = self.n_cont_in + sum(embedder.emb_szs)
        if self._out_sz == 0:
            raise InvalidArgument("cont_feats and cat_embedder give no inputs; the head needs one.")
        self.feat_map = {name: [i] for i, name in enumerate(self.cont_feats)}
        offset = self.n_cont_in
        for name, _, sz in embedder:
            self.feat_map[name] = list(range(offset, offset + sz))
            offset += sz
        if embedder.emb_load_path is not None:
            self.load_embeds(embedder.emb_load_path)
        self._finish()

    @property
    def out_sz(self) -> int:
        """Continuous inputs plus the embedding sizes."""
        return self._out_sz

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Continuous columns through dropout, categorical codes through their embeddings."""
        if isinstance(x, (tuple, list)) or x.dim() != 2:
            raise InvalidArgument(
                "CatEmbHead takes one flat tensor (batch, features); for (flat, matrix) inputs "
                "use MultiHead with a matrix head."
            )
        if x.shape[1] != self.n_cont_in + self.n_cat_in:
            raise InvalidArgument(
                f"inputs must have {self.n_cont_in} continuous + {self.n_cat_in} categorical "
                f"columns; got {x.shape[1]}."
            )
        cont = self.cont_do(x[:, : self.n_cont_in])
        if not self.n_cat_in:
            return cont
        codes = x[:, self.n_cont_in :].long()
        embedded = self.cat_do(torch.cat([e(codes[:, i]) for i, e in enumerate(self.embeds)], 1))
        return torch.cat((cont, embedded), 1) if self.n_cont_in else embedded

    def save_embeds(self, path: str | Path) -> list[Path]:
        """Save each feature's embedding as ``<path>/<feature>.pt``; returns the files written."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, embedding in zip(self.cat_feats, self.embeds, strict=True):
            torch.save(embedding.state_dict(), folder / f"{name}.pt")
            written.append(folder / f"{name}.pt")
        return written

    def load_embeds(self, path: str | Path) -> list[str]:
        """Load the embeddings saved under ``path`` for features of this head; returns their names."""
        loaded = []
        for name, embedding in zip(self.cat_feats, self.embeds, strict=True):
            file = Path(path) / f"{name}.pt"
            if not file.exists():
                continue
            state = torch.load(file, map_location="cpu", weights_only=True)
            if state["weight"].shape != embedding.weight.shape:
                raise InvalidArgument(
                    f"the embedding saved in {str(file)!r} has shape "
                    f"{tuple(state['weight'].shape)}; the head expects "
                    f"{tuple(embedding.weight.shape)} for {name!r}."
                )
            embedding.load_state_dict(state)
            loaded.append(name)
        return loaded

    def get_embeds(self) -> dict[str, Any]:
        """Each categorical feature's embedding matrix (codes x size), as a tensor copy."""
        return {
            n: e.weight.detach().clone() for n, e in zip(self.cat_feats, self.embeds, strict=True)
        }
