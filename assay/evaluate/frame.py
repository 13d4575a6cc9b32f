"""One split's decoded predictions as a table: what ``Prediction.to_df`` and serving return.

The columns, left to right:

- the prediction, named after the Label's column (``"species"``); ``"prediction"`` when the
  Label has several columns of which the prediction is one class (one-hot), or there is no
  Label (a self-supervised model). A regression over several Label columns has one column
  per Label column, named after it. A prediction with more than one value per sample that
  no Label names (a window's future) is one column holding each sample's array.
- for classification, one probability column per class, ``p_<class>`` (``"p_setosa"``),
  in the Label's class order; a binary model's single positive-class column becomes two.

Rows are samples in the order predicted; the index, ``sample``, is their position in the
Dataset (rows, or windows when the Feature has a Window).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: The prediction's column when no single Label column names it.
PREDICTION_COLUMN = "prediction"
#: What each probability column's name starts with: ``p_<class>``.
PROBABILITY_PREFIX = "p_"


def prediction_frame(
    predictions: np.ndarray,
    probabilities: np.ndarray | None,
    *,
    class_names: Sequence[Any] | None,
    label_columns: Sequence[str] | None,
    samples: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Decoded predictions (and class probabilities) of some samples as a DataFrame.

    Args:
        predictions: One decoded prediction per sample: class names, or values on the
            Label's scale.
        probabilities: ``(samples, classes)``, or a binary model's positive-class column;
            None for regression.
        class_names: The classes in ordinal order; None for regression.
        label_columns: The trained Label's columns; None without a Label.
        samples: Each row's sample index in its Dataset; None for 0, 1, 2, ...

    Returns:
        The DataFrame described in this module's docstring.
    """
    predictions = np.asarray(predictions)
    count = len(predictions)
    columns = _prediction_columns(predictions, class_names, label_columns)
    if probabilities is not None:
        matrix = class_probabilities(probabilities, len(class_names or []))
        names = class_names or list(range(matrix.shape[1]))
        for name, values in zip(names, matrix.T, strict=True):
            columns[f"{PROBABILITY_PREFIX}{name}"] = values
    if samples is None or list(samples) == list(range(count)):
        index = pd.RangeIndex(count, name="sample")
    else:
        index = pd.Index(np.asarray(samples, dtype=np.int64), name="sample")
    return pd.DataFrame(columns, index=index)


def _prediction_columns(
    predictions: np.ndarray, class_names: Sequence[Any] | None, label_columns: Sequence[str] | None
) -> dict[str, Any]:
    """The prediction's column(s), named as the module docstring says."""
    count = len(predictions)
    labels = list(label_columns or [])
    flat = predictions.reshape(count, -1) if predictions.ndim > 1 else predictions
    if class_names is not None or predictions.ndim == 1 or flat.shape[1] == 1:
        name = labels[0] if len(labels) == 1 else PREDICTION_COLUMN
        return {name: flat.reshape(count) if flat.ndim > 1 else flat}
    if predictions.ndim == 2 and len(labels) == flat.shape[1]:
        return {name: flat[:, at] for at, name in enumerate(labels)}
    cells = np.empty(count, dtype=object)
    for at, value in enumerate(predictions):
        cells[at] = value
    return {PREDICTION_COLUMN: cells}


def class_probabilities(probabilities: np.ndarray, class_count: int) -> np.ndarray:
    """Probabilities as ``(samples, classes)``: a binary positive-class column becomes two."""
    matrix = np.asarray(probabilities, dtype=np.float64)
    if matrix.ndim == 1 or (matrix.shape[1] == 1 and class_count != 1):
        positive = matrix.reshape(-1)
        return np.column_stack([1 - positive, positive])
    return matrix.reshape(len(matrix), -1)
