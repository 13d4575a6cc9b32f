"""How categorical inputs are embedded: one embedding matrix per feature, sized from its cardinality.

Categorical features arrive as integer codes ``0 .. cardinality - 1`` in the columns after the
continuous ones. Each gets an embedding of ``min(max_emb_sz, (1 + cardinality) // 2)`` values
unless sizes are given (Guo & Berkhahn, 2016, "Entity embeddings of categorical variables").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from assay.errors import InvalidArgument


class CatEmbedder:
    """The names, cardinalities and embedding sizes of the categorical inputs.

    Pass one to ``ModelBuilder(cat_embedder=...)``; the head builds the embeddings from it.

    Args:
        cat_names: Categorical feature names, in the order of their input columns.
        cat_cardinalities: Number of distinct codes of each feature.
        emb_szs: Embedding size of each feature; by default sized from the cardinality.
        max_emb_sz: Largest embedding size when sizes are computed.
        emb_load_path: Folder of embeddings saved by ``CatEmbHead.save_embeds``; the head loads
            the ones whose names match when it is built.
    """

    def __init__(
        self,
        cat_names: Sequence[str],
        cat_cardinalities: Sequence[int],
        emb_szs: Sequence[int] | None = None,
        max_emb_sz: int = 50,
        emb_load_path: str | Path | None = None,
    ):
        self.cat_names = [str(name) for name in cat_names]
        if len(set(self.cat_names)) != len(self.cat_names):
            raise InvalidArgument(f"cat_names must be unique; got {self.cat_names}.")
        self.cat_cardinalities = _positive_ints("cat_cardinalities", cat_cardinalities)
        if len(self.cat_cardinalities) != len(self.cat_names):
            raise InvalidArgument(
                f"cat_cardinalities must give one cardinality per name in cat_names "
                f"({len(self.cat_names)}); got {len(self.cat_cardinalities)}."
            )
        self.max_emb_sz = _positive_ints("max_emb_sz", [max_emb_sz])[0]
        if emb_szs is None:
            self.emb_szs = [min(self.max_emb_sz, (1 + n) // 2) for n in self.cat_cardinalities]
        else:
            self.emb_szs = _positive_ints("emb_szs", emb_szs)
            if len(self.emb_szs) != len(self.cat_names):
                raise InvalidArgument(
                    f"emb_szs must give one size per name in cat_names ({len(self.cat_names)}); "
                    f"got {len(self.emb_szs)}."
                )
        self.emb_load_path = None if emb_load_path is None else Path(emb_load_path)
        if self.emb_load_path is not None and not self.emb_load_path.is_dir():
            raise InvalidArgument(
                f"emb_load_path must be a folder of saved embeddings; got {str(emb_load_path)!r}, "
                "which is not a folder."
            )

    @classmethod
    def from_fy(
        cls,
        fy: Any,
        emb_szs: Sequence[int] | None = None,
        max_emb_sz: int = 50,
        emb_load_path: str | Path | None = None,
    ) -> CatEmbedder:
        """The embedder of a FoldYielder's categorical features, cardinalities from its maps.

        Reads ``fy.cat_feats`` (the categorical features loaded, in input order, leaving out
        those the FoldYielder ignores) and ``fy.cat_maps`` (per feature, the code-to-value
        map the fold file's meta data keeps); the cardinality is the number of codes.

        Args:
            fy: A FoldYielder (``assay.nn.data``) over a fold file.
            emb_szs: Embedding size of each feature; by default sized from the cardinality.
            max_emb_sz: Largest embedding size when sizes are computed.
            emb_load_path: Folder of saved embeddings to start from.
        """
        names = list(fy.cat_feats)
        maps: Mapping[str, Any] = fy.cat_maps
        missing = [name for name in names if name not in maps]
        if missing:
            raise InvalidArgument(
                f"fy must hold a categorical map for each categorical feature; none for {missing}."
            )
        cardinalities = [_cardinality(maps[name]) for name in names]
        return cls(names, cardinalities, emb_szs, max_emb_sz, emb_load_path)

    @property
    def n_cat_in(self) -> int:
        """The number of categorical input features."""
        return len(self.cat_names)

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        """``(name, cardinality, embedding size)`` of each feature, in input order."""
        return iter(zip(self.cat_names, self.cat_cardinalities, self.emb_szs, strict=True))

    def __len__(self) -> int:
        return self.n_cat_in

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}: {c} -> {e}" for n, c, e in self)
        return f"CatEmbedder({parts})"


def _cardinality(cat_map: Any) -> int:
    """Codes in one categorical map: a dict code -> value, or a sequence of the values."""
    if isinstance(cat_map, Mapping):
        codes = [int(code) for code in cat_map]
        return max(codes) + 1 if codes else 0
    return len(cat_map)


def _positive_ints(name: str, values: Sequence[int]) -> list[int]:
    out = []
    for value in values:
        try:
            whole = not isinstance(value, bool) and float(value).is_integer() and value >= 1
        except (TypeError, ValueError):
            whole = False
        if not whole:
            raise InvalidArgument(f"{name} must hold positive integers; got {list(values)}.")
        out.append(int(value))
    return out
