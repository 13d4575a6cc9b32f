"""Imputation: fill the gaps of independent samples with what the training samples teach.

Interpolation fits a curve down the rows, which is right for a time series and wrong for a
table of independent samples: there a filled value would depend on the rows beside it, so a
row's prediction would change with the rows predicted with it. An imputer learns what to
fill from the training samples (a median, the nearest neighbours, a regression on the other
columns) and then fills each sample on its own.

scikit-learn's imputers (``SimpleImputer``, ``KNNImputer``, ``IterativeImputer``) are
imputers as they are; any other object with fit and transform whose output has its input's
columns becomes one wrapped in ``Imputer``. A Feature's imputers are coders that run before
its other coders, on columns those may encode too.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from assay.errors import InvalidArgument


class Imputer(TransformerMixin, BaseEstimator):
    """Any fit/transform object whose output has its input's columns, used as an imputer."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any = None) -> Imputer:
        """Fit a fresh copy of the estimator on the training samples."""
        from assay.preprocess.encode import fresh

        self.estimator_ = fresh(self.estimator).fit(X)
        return self

    def transform(self, X: Any) -> Any:
        """Fill the gaps of some samples with what was learned."""
        return self.estimator_.transform(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The columns keep their names."""
        return np.asarray(input_features, dtype=object)


def is_imputer(encoder: Any) -> bool:
    """Whether a coder fills gaps (and so runs before the other coders).

    scikit-learn's imputers are looked for only once ``sklearn.impute`` is imported (one
    of them cannot exist before): importing it costs a tenth of a second (neighbors).
    """
    if isinstance(encoder, Imputer):
        return True
    imputers = sys.modules.get("sklearn.impute._base")
    return imputers is not None and isinstance(encoder, imputers._BaseImputer)


def as_imputer(given: Any) -> Any:
    """``given`` as an imputer: scikit-learn's as they are, anything else wrapped.

    Raises:
        InvalidArgument: A class, or an object without fit and transform.
    """
    if is_imputer(given):
        return given
    has_methods = all(callable(getattr(given, name, None)) for name in ("fit", "transform"))
    if inspect.isclass(given) or not has_methods:
        raise InvalidArgument(
            "imputer must be an instance with fit and transform whose output has its input's "
            f"columns, e.g. SimpleImputer(strategy='median') or KNNImputer(); got {given!r}."
        )
    return Imputer(given)


def check_keeps_columns(fitted: Any, dimension: str, block: np.ndarray, columns: list[str]) -> None:
    """Raise unless a fitted imputer gives back as many columns as it takes.

    Args:
        fitted: The imputer as ``encode.fit_encoder`` fitted it.
        dimension: The dimension ``fit_encoder`` returned with it.
        block: The 2D block it was fitted on; its first two rows are transformed to see
            the output width.
        columns: The columns it fills, named in the error.

    Raises:
        InvalidArgument: Naming the imputer and the widths, e.g. for ``add_indicator=True``.
    """
    from assay.preprocess import encode

    width = encode.transform(fitted, dimension, block[:2]).shape[1]
    if width != len(columns):
        name = type(getattr(fitted, "estimator_", fitted)).__name__
        raise InvalidArgument(
            f"sklearn_preprocess: an imputer must give back the columns it fills; {name} "
            f"turned {len(columns)} column(s) {columns} into {width}. Leave out settings that "
            "add columns (add_indicator=True), or encode with it as an ordinary coder."
        )


def gap_counts(data: Any, columns: list[str]) -> dict[str, int]:
    """How many values are missing in each column that has gaps.

    Args:
        data: A DataFrame, or an array whose last axis holds ``columns``.
        columns: The columns to look at (for an array: all of them, in order).
    """
    if hasattr(data, "isna"):
        counts = {str(column): int(data[column].isna().sum()) for column in columns}
    else:
        array = np.asarray(data)
        if array.dtype.kind != "f":
            return {}
        missing = np.isnan(array.reshape(-1, array.shape[-1])).sum(axis=0)
        counts = {str(column): int(count) for column, count in zip(columns, missing, strict=True)}
    return {column: count for column, count in counts.items() if count}


def unfilled_gaps(data: Any, columns: list[str], fillable: Iterable[str]) -> dict[str, int]:
    """``{column: missing count}`` of the columns with gaps that are not in ``fillable``."""
    fillable = set(fillable)
    return {
        column: count
        for column, count in gap_counts(data, columns).items()
        if column not in fillable
    }


def refuse_gaps(gaps: dict[str, int], feature_id: int, what: str) -> None:
    """Raise when new samples of a trained Feature have gaps its preprocessing cannot fill.

    Args:
        gaps: ``{column: missing count}`` that nothing fills (``unfilled_gaps``).
        feature_id: The Feature the Predictor was trained on.
        what: How the error names the new samples, e.g. ``"feature_ids: Feature 3"``.

    Raises:
        InvalidArgument: When ``gaps`` is not empty: the columns, the counts, and the
            imputer to train with.
    """
    if gaps:
        raise InvalidArgument(
            f"{what} has missing values {gaps} (column: count) that "
            f"the Predictor's preprocessing cannot fill: its Feature {feature_id} had none "
            "there and has no imputer or interpolater for them, so the model would predict "
            "from NaN. Drop or fill those rows, or train with an imputer, e.g. "
            f"Input.Imputer(SimpleImputer(strategy='median'), columns={sorted(gaps)}) "
            f"(FeatureCoder.from_feature(feature_id, SimpleImputer(...)))."
        )
