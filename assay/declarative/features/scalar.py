"""Feature types of one value per sample: numerical, category and binary."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, OrdinalEncoder, StandardScaler

from assay.declarative.features.base import (
    FeatureType,
    distinct_values,
    feature_type_registry,
    missing_count,
)
from assay.errors import InvalidArgument

#: Values read as "true" when a binary column's two values must be ordered.
TRUTHY = {"1", "true", "t", "yes", "y", "positive", "pos", "on"}


@feature_type_registry.register("numerical")
class Numerical(FeatureType):
    """A number per sample; as an output, regression.

    Args:
        normalization: ``zscore`` (mean 0, standard deviation 1), ``minmax`` (0 to 1) or
            None, learned from the training samples.
        missing_value_strategy: What fills an empty cell of an input: the training
            samples' ``mean``, ``median``, or ``constant`` (``fill_value``).
        fill_value: The constant for ``missing_value_strategy: constant``.
    """

    kind = "vector"
    default_encoder = "passthrough"
    output_kind = "number"
    default_decoder = "regressor"
    analysis_type = "regression"
    losses = ("mse", "mae", "huber")

    def __init__(
        self,
        normalization: Literal["zscore", "minmax"] | None = "zscore",
        missing_value_strategy: Literal["mean", "median", "constant"] = "mean",
        fill_value: float = 0.0,
    ) -> None:
        self.normalization = normalization
        self.missing_value_strategy = missing_value_strategy
        self.fill_value = fill_value

    def get_feature_meta(self, values: pd.Series, root: Path) -> dict[str, Any]:
        """min, max, mean, std and the count of empty cells."""
        numbers = pd.to_numeric(values, errors="coerce")
        bad = values[numbers.isna() & values.notna()]
        if len(bad):
            raise InvalidArgument(f"holds values that are not numbers, e.g. {bad.iloc[0]!r}.")
        present = numbers.dropna()
        stats = present.describe() if len(present) else pd.Series(dtype=float)
        return {
            "min": float(stats.get("min", np.nan)),
            "max": float(stats.get("max", np.nan)),
            "mean": float(stats.get("mean", np.nan)),
            "std": float(stats.get("std", np.nan)) if len(present) > 1 else 0.0,
            "missing": missing_count(values),
        }

    def _scaler(self) -> list[Any]:
        if self.normalization == "zscore":
            return [StandardScaler()]
        if self.normalization == "minmax":
            return [MinMaxScaler()]
        return []

    def coders(self, meta: dict[str, Any]) -> list[Any]:
        """An imputer of the training samples, then the scaler."""
        imputer = SimpleImputer(strategy=self.missing_value_strategy, fill_value=self.fill_value)
        return [imputer, *self._scaler()]

    def label_coder(self, meta: dict[str, Any]) -> Any:
        """The scaler (assay decodes predictions with it); None keeps the values."""
        scaler = self._scaler()
        return scaler[0] if scaler else None

    def loss(self, name: str) -> torch.nn.Module:
        """MSELoss, L1Loss or HuberLoss."""
        return {"mse": torch.nn.MSELoss, "mae": torch.nn.L1Loss, "huber": torch.nn.HuberLoss}[
            name
        ]()


@feature_type_registry.register("category")
class Category(FeatureType):
    """One of a set of values per sample; as an output, multi-class classification.

    Args:
        most_common: Keep at most this many categories, the most frequent; the rest share
            one (None: keep all).
    """

    kind = "index"
    default_encoder = "embed"
    output_kind = "classes"
    default_decoder = "classifier"
    analysis_type = "classification_multi"
    losses = ("cross_entropy",)

    def __init__(self, most_common: int | None = None) -> None:
        self.most_common = most_common

    def get_feature_meta(self, values: pd.Series, root: Path) -> dict[str, Any]:
        """The vocabulary (sorted), its size, each value's count and the empty cells."""
        vocabulary = distinct_values(values)
        counts = values.value_counts()
        size = (
            len(vocabulary) if self.most_common is None else min(len(vocabulary), self.most_common)
        )
        if self.most_common is not None and len(vocabulary) > self.most_common:
            size += 1  # the infrequent ones share a category
        return {
            "vocabulary": vocabulary,
            "vocab_size": size,
            "counts": {str(key): int(count) for key, count in counts.items()},
            "missing": missing_count(values),
        }

    def coders(self, meta: dict[str, Any]) -> list[Any]:
        """An OrdinalEncoder: unseen or empty values become -1, which ``embed`` has a vector for."""
        return [
            OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-1,
                max_categories=None if self.most_common is None else self.most_common + 1,
            )
        ]

    def label_coder(self, meta: dict[str, Any]) -> Any:
        """An OrdinalEncoder: a class index per sample, decoded back to the values."""
        if meta["missing"]:
            raise InvalidArgument(
                f"has {meta['missing']} empty cells; an output needs a value in every sample."
            )
        return OrdinalEncoder()

    def output_size(self, meta: dict[str, Any]) -> int:
        """One logit per class."""
        return len(meta["vocabulary"])

    def loss(self, name: str) -> torch.nn.Module:
        """CrossEntropyLoss over the logits."""
        return torch.nn.CrossEntropyLoss()


@feature_type_registry.register("binary")
class Binary(FeatureType):
    """One of two values per sample (true/false, yes/no, 0/1); as an output, binary classes.

    Args:
        positive: The value that counts as true (None: the one that reads as true, such as
            1, true or yes, else the second in sorted order).
    """

    kind = "vector"
    default_encoder = "passthrough"
    output_kind = "classes"
    default_decoder = "classifier"
    analysis_type = "classification_binary"
    losses = ("binary_cross_entropy",)

    def __init__(self, positive: str | int | float | bool | None = None) -> None:
        self.positive = positive

    def get_feature_meta(self, values: pd.Series, root: Path) -> dict[str, Any]:
        """The two values, negative first, and the empty cells."""
        found = distinct_values(values)
        if len(found) != 2:
            raise InvalidArgument(f"must have two values; got {len(found)}: {found[:5]}.")
        if self.positive is not None:
            if self.positive not in found:
                raise InvalidArgument(
                    f"preprocessing.positive {self.positive!r} is not one of its values {found}."
                )
            positive = self.positive
        else:
            truthy = [value for value in found if str(value).strip().lower() in TRUTHY]
            positive = truthy[0] if truthy else found[-1]
        negative = [value for value in found if value != positive]
        return {
            "values": [*negative, positive],
            "positive": positive,
            "missing": missing_count(values),
        }

    def _encoder(self, meta: dict[str, Any], **options: Any) -> OrdinalEncoder:
        return OrdinalEncoder(categories=[list(meta["values"])], **options)

    def coders(self, meta: dict[str, Any]) -> list[Any]:
        """0 for the negative value, 1 for the positive, -1 for an empty or unknown cell."""
        return [
            self._encoder(
                meta, handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
            )
        ]

    def label_coder(self, meta: dict[str, Any]) -> Any:
        """0 and 1, decoded back to the two values."""
        if meta["missing"]:
            raise InvalidArgument(
                f"has {meta['missing']} empty cells; an output needs a value in every sample."
            )
        return self._encoder(meta)

    def output_activation(self) -> torch.nn.Module:
        """A sigmoid: BCELoss and assay's predict (p > 0.5) read probabilities."""
        return torch.nn.Sigmoid()

    def loss(self, name: str) -> torch.nn.Module:
        """BCELoss over the probability."""
        return torch.nn.BCELoss()
