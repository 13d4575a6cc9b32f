"""Predictions and labels back to what they mean: class indices, class names, the Label's scale.

Pure functions over arrays; the fitted coder that decodes regression outputs comes from
``FittedSteps.label_decoder()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def to_ordinal(label: np.ndarray) -> np.ndarray:
    """Class indices of a label array: argmax of one-hot columns, or the values themselves."""
    label = np.asarray(label)
    if label.ndim == 2 and label.shape[1] > 1:
        return label.argmax(axis=1)
    return label.reshape(len(label)).astype(np.int64)


def decode_classes(ordinal: np.ndarray, names: list[Any] | None) -> np.ndarray:
    """Class indices back to the Label's values (encoders and estimators sort classes)."""
    ordinal = np.asarray(ordinal).reshape(len(ordinal)).astype(np.int64)
    if not names:
        return ordinal
    return np.asarray(names, dtype=object)[ordinal]


def true_classes(label: np.ndarray, names: list[Any] | None, coded: bool) -> np.ndarray:
    """Class indices of the true labels: one-hot argmax, encoded values, or raw values' ranks.

    Args:
        label: The true label of each sample: one-hot (n, classes), class indices, or
            the Label's raw values.
        names: The class names in index order (``Predictor.ordered_class_names``); a raw
            value not among them becomes -1.
        coded: Whether the Label went through a coder, so its values are already indices
            or one-hot.
    """
    label = np.asarray(label)
    if coded or not names or (label.ndim == 2 and label.shape[1] > 1):
        return to_ordinal(label)
    position = {name: at for at, name in enumerate(names)}
    values = label.reshape(len(label)).tolist()
    return np.asarray([position.get(value, -1) for value in values], dtype=np.int64)


def decode_values(values: np.ndarray, coder: tuple[Any, str] | None) -> np.ndarray:
    """Regression outputs back to the Label's own scale through its fitted coder."""
    from assay.preprocess import encode

    values = np.asarray(values, dtype=np.float64)
    if coder is not None:
        fitted, dimension = coder
        values = encode.inverse_transform(fitted, dimension, values.reshape(len(values), -1))
        values = np.asarray(values, dtype=np.float64)
    flat = values.reshape(len(values), -1)
    return flat[:, 0] if values.ndim <= 2 and flat.shape[1] == 1 else values
