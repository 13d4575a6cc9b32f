"""Feature types of many values per sample: text, sequence and timeseries.

They share their encoders (``rnn``, ``parallel_cnn``), as 004 says sequence encoders are
shared among text, sequence and timeseries features: text and sequences give token indices,
time series give numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from assay.declarative.coders import SeriesCoder, TokenCoder, parse_series, tokenize
from assay.declarative.features.base import FeatureType, feature_type_registry, missing_count

#: The longest a sequence gets when the configuration sets no max_length.
LONGEST = 256


def _length(longest: int, max_length: int | None) -> int:
    """The row length: the longest cell (at least 1), capped by max_length or LONGEST."""
    return max(1, min(longest, max_length or LONGEST))


@feature_type_registry.register("text")
class Text(FeatureType):
    """Free text: words (and punctuation) from a vocabulary of the training samples.

    Args:
        tokenizer: ``words`` (words and punctuation), ``space`` (split on whitespace) or
            ``characters``.
        lowercase: Lowercase before tokenizing.
        max_length: Tokens kept per sample (None: the longest sample's, at most 256).
        most_common: The vocabulary's size: the most frequent tokens of the training samples.
    """

    kind = "tokens"
    default_encoder = "parallel_cnn"

    def __init__(
        self,
        tokenizer: Literal["words", "space", "characters"] = "words",
        lowercase: bool = True,
        max_length: int | None = None,
        most_common: int = 10000,
    ) -> None:
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.max_length = max_length
        self.most_common = most_common

    def get_feature_meta(self, values: pd.Series, root: Path) -> dict[str, Any]:
        """Token counts over every sample: vocabulary size, the longest and mean lengths."""
        tokens = [tokenize(cell, self.tokenizer, self.lowercase) for cell in values]
        lengths = [len(cell) for cell in tokens]
        distinct = len({token for cell in tokens for token in cell})
        return {
            "kind": "tokens",
            "vocab_size": min(distinct, self.most_common) + 2,  # + padding and unknown
            "max_length": _length(max(lengths, default=0), self.max_length),
            "mean_length": float(np.mean(lengths)) if lengths else 0.0,
            "missing": missing_count(values),
        }

    def coders(self, meta: dict[str, Any]) -> list[Any]:
        """A TokenCoder: its vocabulary learned from the training samples."""
        return [
            TokenCoder(
                tokenizer=self.tokenizer,
                lowercase=self.lowercase,
                max_length=meta["max_length"],
                most_common=self.most_common,
            )
        ]


@feature_type_registry.register("sequence")
class Sequence(Text):
    """Tokens separated by spaces (e.g. ``"login view view buy"``), case kept.

    Args:
        tokenizer: ``space`` (split on whitespace), ``words`` or ``characters``.
        lowercase: Lowercase before tokenizing.
        max_length: Tokens kept per sample (None: the longest sample's, at most 256).
        most_common: The vocabulary's size: the most frequent tokens of the training samples.
    """

    default_encoder = "rnn"

    def __init__(
        self,
        tokenizer: Literal["words", "space", "characters"] = "space",
        lowercase: bool = False,
        max_length: int | None = None,
        most_common: int = 10000,
    ) -> None:
        super().__init__(tokenizer, lowercase, max_length, most_common)


@feature_type_registry.register("timeseries")
class Timeseries(FeatureType):
    """Numbers separated by spaces or commas in one cell (e.g. ``"0.5 0.7 1.2"``).

    Args:
        max_length: Values kept per sample (None: the longest sample's, at most 256).
        normalization: ``zscore`` scales by the training values' mean and standard
            deviation; None keeps them.
        padding_value: What pads a shorter series, after scaling.
    """

    kind = "series"
    default_encoder = "rnn"

    def __init__(
        self,
        max_length: int | None = None,
        normalization: Literal["zscore"] | None = "zscore",
        padding_value: float = 0.0,
    ) -> None:
        self.max_length = max_length
        self.normalization = normalization
        self.padding_value = padding_value

    def get_feature_meta(self, values: pd.Series, root: Path) -> dict[str, Any]:
        """The longest and mean lengths, and the min, max and mean of every value."""
        series = [parse_series(cell) for cell in values]
        every = np.concatenate([*series, np.zeros(0)])
        lengths = [len(one) for one in series]
        return {
            "kind": "series",
            "max_length": _length(max(lengths, default=0), self.max_length),
            "mean_length": float(np.mean(lengths)) if lengths else 0.0,
            "min": float(every.min()) if len(every) else float("nan"),
            "max": float(every.max()) if len(every) else float("nan"),
            "mean": float(every.mean()) if len(every) else float("nan"),
            "missing": missing_count(values),
        }

    def coders(self, meta: dict[str, Any]) -> list[Any]:
        """A SeriesCoder: its scale learned from the training samples."""
        return [
            SeriesCoder(
                max_length=meta["max_length"],
                normalization=self.normalization,
                padding_value=self.padding_value,
            )
        ]
