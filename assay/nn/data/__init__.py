"""Fold files: data split into folds in one HDF5 file, read one fold at a time.

``df2foldfile`` writes a DataFrame as a fold file, ``Splitset.to_foldfile`` a Splitset's
preprocessed folds or splits; ``FoldYielder`` reads them back, and ``AugFoldYielder``
subclasses augment each fold as it is loaded (``FlipAugFoldYielder`` flips signs).
The layout is described in ``assay.nn.data.layout``.
"""

from __future__ import annotations

from assay.nn.data.augment import AugFoldYielder, FlipAugFoldYielder
from assay.nn.data.fold_yielder import FoldYielder
from assay.nn.data.from_df import df2foldfile

__all__ = ["AugFoldYielder", "FlipAugFoldYielder", "FoldYielder", "df2foldfile"]
