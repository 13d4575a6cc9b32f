"""ROC and precision-recall curves per class, from true class indices and probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np

from assay.errors import InvalidArgument


def _columns(
    y_true: np.ndarray, probabilities: np.ndarray, names: list[str] | None
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(class name, is-this-class truth, its probability) for every class, binary included.

    A binary model's single column is the probability of class 1; class 0's is its complement.

    Raises:
        InvalidArgument: ``names`` is given but does not hold one name per class.
    """
    truth = np.asarray(y_true).reshape(-1).astype(np.int64)
    matrix = np.asarray(probabilities, dtype=np.float64)
    if matrix.ndim == 1 or matrix.shape[1] == 1:
        positive = matrix.reshape(-1)
        matrix = np.column_stack([1 - positive, positive])
    count = matrix.shape[1]
    if names is not None and len(names) != count:
        raise InvalidArgument(
            f"class_names must hold one name per class ({count}); got {len(names)}: {names!r}."
        )
    return [
        (str(names[at]) if names else str(at), truth == at, matrix[:, at]) for at in range(count)
    ]


def roc_curves(
    y_true: np.ndarray, probabilities: np.ndarray, class_names: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Per class: fpr, tpr, thresholds and AUC (one-vs-rest); absent classes are skipped.

    Args:
        y_true: True class indices, shape (n,).
        probabilities: (n, classes), or class 1's (n,) or (n, 1) for a binary model.
        class_names: One name per probability column, the keys of the result; None keys
            classes by their index as a string.

    Raises:
        InvalidArgument: ``class_names`` does not hold one name per class.
    """
    from sklearn.metrics import auc, roc_curve

    out = {}
    for name, positive, scores in _columns(y_true, probabilities, class_names):
        if positive.all() or not positive.any():
            continue
        fpr, tpr, thresholds = roc_curve(positive, scores)
        out[name] = {"fpr": fpr, "tpr": tpr, "thresholds": thresholds, "auc": float(auc(fpr, tpr))}
    return out


def precision_recall_curves(
    y_true: np.ndarray, probabilities: np.ndarray, class_names: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Per class: precision, recall, thresholds and average precision; absent classes skipped.

    Args:
        y_true: True class indices, shape (n,), as ``roc_curves`` takes them.
        probabilities: Per class, or class 1's alone for a binary model, as ``roc_curves``.
        class_names: The result's keys, one per probability column, as ``roc_curves``.

    Raises:
        InvalidArgument: ``class_names`` does not hold one name per class.
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve

    out = {}
    for name, positive, scores in _columns(y_true, probabilities, class_names):
        if not positive.any():
            continue
        precision, recall, thresholds = precision_recall_curve(positive, scores)
        out[name] = {
            "precision": precision,
            "recall": recall,
            "thresholds": thresholds,
            "average_precision": float(average_precision_score(positive, scores)),
        }
    return out
