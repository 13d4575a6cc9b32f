"""Section 8a: a Splitset's splits read from the samples cache and handed to model libraries.

Mixed into ``Splitset``. Each method reads one split (of the Splitset, or of one of its
Folds) through ``assay.store.samples`` and converts it with ``assay.train.handoff``, in the
original sample order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument
from assay.orm.base import id_method
from assay.orm.fold import Fold

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import torch
    from torch.utils.data import DataLoader

    from assay.store.samples import SplitArrays

LIBRARIES = (None, "numpy", "pytorch")


class SplitsetHandoff:
    """Section 8a: one split as arrays, frames or tensors (mixed into Splitset)."""

    @id_method
    def fetch_cache(
        self,
        split: str,
        label_features: str,
        fold_id: int | None = None,
        library: str | None = None,
    ) -> Any:
        """Read one split's cached label or features (caching first if needed).

        Args:
            split: A key of ``samples`` (or of the Fold's samples).
            label_features: ``'label'`` or ``'features'``.
            fold_id: The Fold, for its samples.
            library: ``'pytorch'`` returns float tensors; None or ``'numpy'`` ndarrays.

        Returns:
            The label array (None when unsupervised and not windowed), or the features: one
            array, or a list of arrays when there are several Features.
        """
        from assay.train import handoff

        if label_features not in ("label", "features"):
            raise InvalidArgument(
                f"label_features must be 'label' or 'features'; got {label_features!r}."
            )
        if library not in LIBRARIES:
            raise InvalidArgument(f"library must be one of {LIBRARIES}; got {library!r}.")
        return handoff.part_of(self.arrays(split, fold_id), label_features, library)

    def fold_of(self, fold_id: int | None) -> Fold | None:
        """The Fold with this id, which must belong to this Splitset."""
        if fold_id is None:
            return None
        fold = Fold.get_by_id(fold_id)
        if fold.splitset_id != self.id:
            raise InvalidArgument(
                f"fold_id: Fold {fold_id} belongs to Splitset {fold.splitset_id}, not {self.id}."
            )
        return fold

    @id_method
    def arrays(self, split: str, fold_id: int | None = None) -> SplitArrays:
        """One split's preprocessed arrays (one per Feature, and the label), from the cache.

        Args:
            split: A key of ``samples`` (or of the Fold's samples).
            fold_id: The Fold, for its samples.
        """
        from assay.store import samples

        return samples.read_split(self, split, self.fold_of(fold_id))

    def split_arrays(self, split: str, fold_id: int | None = None) -> tuple[list, Any]:
        """One split's preprocessed features (always a list) and label, from the cache."""
        features, label = self.arrays(split, fold_id)
        return features, label

    @id_method
    def to_numpy(
        self, split: str, fold_id: int | None = None
    ) -> tuple[np.ndarray | list[np.ndarray], np.ndarray | None]:
        """``(features, label)`` of a split as ndarrays (a list when several Features)."""
        from assay.train import handoff

        return handoff.to_numpy(*self.arrays(split, fold_id))

    @id_method
    def to_pandas(
        self, split: str, fold_id: int | None = None
    ) -> tuple[pd.DataFrame | list[pd.DataFrame], pd.DataFrame | None]:
        """``(features, label)`` of a split as DataFrames named by their encoded columns."""
        from assay.train import handoff

        target = self.label
        return handoff.to_pandas(
            *self.arrays(split, fold_id),
            feature_columns=[feature.encoded_column_names() for feature in self.features],
            label_columns=None if target is None else list(target.columns),
            widen_label=target is not None and target.labelcoder is not None,
        )

    @id_method
    def to_torch(
        self, split: str, fold_id: int | None = None
    ) -> tuple[torch.Tensor | list[torch.Tensor], torch.Tensor | None]:
        """``(features, label)`` of a split as float32 torch tensors."""
        from assay.train import handoff

        return handoff.to_torch(*self.arrays(split, fold_id))

    @id_method
    def to_dataloader(
        self, split: str, fold_id: int | None = None, batch_size: int = 32, shuffle: bool = False
    ) -> DataLoader:
        """A torch DataLoader over a split (in sample order unless ``shuffle``).

        Args:
            split: A key of ``samples`` (or of the Fold's samples).
            fold_id: The Fold, for its samples and the coders fitted on them.
            batch_size: Samples per batch.
            shuffle: Draw the samples in a new random order each epoch.
        """
        from assay.train import handoff

        return handoff.to_dataloader(
            *self.arrays(split, fold_id), batch_size=batch_size, shuffle=shuffle
        )

    @id_method
    def to_keras(
        self, split: str, fold_id: int | None = None
    ) -> tuple[np.ndarray | list[np.ndarray], np.ndarray | None]:
        """``(x, y)`` of a split ready for ``keras.Model.fit`` (x a list when several inputs)."""
        from assay.train import handoff

        return handoff.to_keras(*self.arrays(split, fold_id))

    @id_method
    def to_foldfile(
        self,
        path: str | Path,
        split: str | None = None,
        n_folds: int | None = None,
        compression: str | None = None,
    ) -> Path:
        """Write the preprocessed Folds (or splits) as a fold file for ``assay.nn``.

        With Folds, fold ``i`` holds Fold ``i``'s validation samples; without, each split
        is a fold; ``split=`` writes one split cut into ``n_folds`` folds. Every fold is
        preprocessed by this Splitset's coders, fitted on ``train``. See
        ``assay.nn.data.from_splitset``.

        Args:
            path: The file to write.
            split: Only this split (e.g. ``'test'``); None: the Folds, or every split.
            n_folds: With ``split``, how many folds to cut it into (default 1).
            compression: None, ``'gzip'`` or ``'lzf'``.

        Returns:
            The path written, to open with ``assay.nn.data.FoldYielder``.
        """
        from assay.nn.data.from_splitset import splitset_to_foldfile

        return splitset_to_foldfile(self, path, split, n_folds, compression)
