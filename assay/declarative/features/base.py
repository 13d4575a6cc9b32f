"""What a feature type owns (004's feature mixins): metadata, coders, and for outputs the rest.

A feature type is built with its ``preprocessing`` parameters (constructor arguments with
defaults, documented in the class docstring, as encoders take theirs). It then answers:

- ``get_feature_meta(values)``: one pass over the whole column for what the model's shape
  needs (min, max, mean, vocabulary, lengths, image size...);
- ``coders(meta)``: the scikit-learn coders that turn raw values into numbers; assay fits
  them on the training samples only (a ``FeatureCoder`` or ``LabelCoder``);
- for outputs, ``analysis_type``, ``output_size``, ``output_activation`` and ``loss``: what
  the decoder ends with and how it is scored. Predictions go back to values through the
  label coder's ``inverse_transform``, which assay applies to every prediction it stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument
from assay.plugins.registry import ClassRegistry

if TYPE_CHECKING:
    import torch


class FeatureType:
    """The base of every feature type.

    Attributes:
        kind: The kind of tensor its coders make, which decides the encoders it can use
            (see ``assay.declarative.encoders``); None for a type that is only an output.
        default_encoder: The encoder when the configuration names none.
        output_kind: What a decoder must produce for it (``number``, ``classes``); None for
            a type that cannot be an output.
        default_decoder: The decoder when the configuration names none.
        analysis_type: assay's analysis type when it is the output.
        losses: The losses it can be trained with, by name, the first the default.
    """

    kind: ClassVar[str | None] = None
    default_encoder: ClassVar[str | None] = None
    output_kind: ClassVar[str | None] = None
    default_decoder: ClassVar[str | None] = None
    analysis_type: ClassVar[str | None] = None
    losses: ClassVar[tuple[str, ...]] = ()

    def get_feature_meta(self, values: pd.Series, root: Path) -> dict[str, Any]:
        """Dataset-wide metadata of a column (a one-time pass, as 004 describes).

        Args:
            values: The column, every sample.
            root: The folder the dataset was read from (image paths are relative to it).
        """
        raise NotImplementedError

    def coders(self, meta: dict[str, Any]) -> list[Any]:
        """Unfitted coders that turn the column into numbers, applied in order."""
        raise NotImplementedError

    def label_coder(self, meta: dict[str, Any]) -> Any:
        """The invertible coder of this type as an output (None: the values as they are)."""
        raise InvalidArgument(f"a {type(self).__name__} cannot be an output feature.")

    def output_size(self, meta: dict[str, Any]) -> int:
        """How many values the decoder outputs per sample."""
        return 1

    def output_activation(self) -> torch.nn.Module | None:
        """What follows the decoder, so that the loss and assay's predict agree (or None)."""
        return None

    def loss(self, name: str) -> torch.nn.Module:
        """The torch loss by name (one of ``losses``)."""
        raise NotImplementedError


feature_type_registry: ClassRegistry[FeatureType] = ClassRegistry(
    FeatureType, "feature type", group="assay.feature_types"
)


def missing_count(values: pd.Series) -> int:
    """How many cells are empty."""
    return int(values.isna().sum())


def distinct_values(values: pd.Series) -> list[Any]:
    """The column's distinct non-missing values, sorted (numbers as numbers, else as text)."""
    present = values.dropna()
    unique = pd.unique(present)
    try:
        ordered = sorted(unique)
    except TypeError:
        ordered = sorted(unique, key=str)
    return [value.item() if isinstance(value, np.generic) else value for value in ordered]
