"""Metrics of one split by analysis_type, and their aggregate across splits and folds.

Small folds are normal in cross-validation: a class may be missing, a precision may divide
by zero. Nothing here crashes on them; the value is defined (NaN or 0) and a note says why.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from assay.errors import InvalidArgument

ANALYSIS_TYPES = ("classification_binary", "classification_multi", "regression")
CLASSIFICATION_METRICS = [
    "accuracy",
    *[
        f"{name}_{average}"
        for name in ("precision", "recall", "f1")
        for average in ("macro", "micro", "weighted")
    ],
    "roc_auc",
    "log_loss",
]
REGRESSION_METRICS = ["r2", "mse", "rmse", "mae", "explained_variance"]
STATISTICS = ("mean", "median", "std", "min", "max")


def metric_names(analysis_type: str) -> list[str]:
    """The metrics computed for an analysis_type (plus 'loss' when a loss is given)."""
    check_analysis_type(analysis_type)
    return list(REGRESSION_METRICS if analysis_type == "regression" else CLASSIFICATION_METRICS)


def default_score_metric(analysis_type: str) -> str:
    """'accuracy' for classification, 'r2' for regression."""
    check_analysis_type(analysis_type)
    return "r2" if analysis_type == "regression" else "accuracy"


def check_analysis_type(analysis_type: str) -> None:
    """Raise unless analysis_type is one of the three."""
    if analysis_type not in ANALYSIS_TYPES:
        raise InvalidArgument(
            f"analysis_type must be one of {list(ANALYSIS_TYPES)}; got {analysis_type!r}."
        )


def _class_probabilities(probabilities: np.ndarray, class_count: int) -> np.ndarray:
    """Probabilities as (n, classes): a binary positive-class column becomes two columns."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim == 1 or probabilities.shape[1] == 1:
        positive = probabilities.reshape(-1)
        return np.column_stack([1 - positive, positive])
    return probabilities.reshape(
        len(probabilities), class_count if probabilities.shape[1] == class_count else -1
    )


def counted_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, labels: list[Any]
) -> dict[str, float] | None:
    """Accuracy and macro, micro and weighted precision, recall and F1 from one count.

    The values scikit-learn's ``accuracy_score`` and ``precision_recall_fscore_support(...,
    zero_division=0)`` give, from a single confusion matrix instead of four passes with
    their validation (most of the time of scoring a small split). None when some class is
    not one of ``labels`` = ``0 .. len(labels) - 1``.
    """
    count = len(labels)
    if list(labels) != list(range(count)) or len(y_true) == 0:
        return None
    truth, predicted = np.asarray(y_true), np.asarray(y_pred)
    if not (_indices_below(truth, count) and _indices_below(predicted, count)):
        return None
    matrix = np.bincount(
        truth.astype(np.int64) * count + predicted.astype(np.int64), minlength=count * count
    ).reshape(count, count)
    hits = np.diag(matrix).astype(np.float64)
    predicted_count, true_count = matrix.sum(axis=0), matrix.sum(axis=1)
    per_class = {
        "precision": _ratio(hits, predicted_count),
        "recall": _ratio(hits, true_count),
        "f1": _ratio(2 * hits, predicted_count + true_count),
    }
    totals = {
        "precision": _ratio(hits.sum(), predicted_count.sum()),
        "recall": _ratio(hits.sum(), true_count.sum()),
        "f1": _ratio(2 * hits.sum(), predicted_count.sum() + true_count.sum()),
    }
    support = true_count.sum()
    averaged = {
        "macro": {name: scores.mean() for name, scores in per_class.items()},
        "micro": totals,
        "weighted": {
            name: np.dot(scores, true_count) / support if support > 0 else 0.0
            for name, scores in per_class.items()
        },
    }
    values = {"accuracy": float(hits.sum() / len(truth))}
    for average, scores in averaged.items():  # the order scikit-learn's loop gave
        for name in per_class:
            values[f"{name}_{average}"] = float(scores[name])
    return values


def _indices_below(values: np.ndarray, count: int) -> bool:
    """Whether every value is a whole number in ``0 .. count - 1``."""
    if values.dtype.kind not in "iuf" or values.ndim != 1:
        return False
    return bool(np.all((values >= 0) & (values < count) & (values == np.floor(values))))


def _ratio(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator``, 0 where the denominator is 0 (``zero_division=0``)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def classification_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    probabilities: np.ndarray | None,
    labels: list[Any],
) -> tuple[dict[str, float], list[str]]:
    """Accuracy; macro, micro and weighted precision, recall and F1; ROC AUC; log loss.

    Args:
        y_true: True class indices, shape (n,).
        y_pred: Predicted class indices, shape (n,).
        probabilities: (n, classes), or the positive class's (n,) or (n, 1) for binary;
            None leaves roc_auc and log_loss NaN, with a note.
        labels: Every class index in column order, so that classes absent from these
            samples still count (as 0).

    Returns:
        ``(metrics, notes)``: each metric's value, and why any is undefined or partial.
    """
    from sklearn import metrics as sk

    notes: list[str] = []
    present = sorted(set(np.unique(y_true).tolist()))
    missing = [label for label in labels if label not in present]
    if missing:
        notes.append(f"classes {missing} do not occur in these samples; their scores count as 0")
    values = counted_metrics(y_true, y_pred, labels)
    if values is None:  # classes outside ``labels``: scikit-learn's rules for them
        values = {"accuracy": float(sk.accuracy_score(y_true, y_pred))}
        for average in ("macro", "micro", "weighted"):
            precision, recall, f1, _ = sk.precision_recall_fscore_support(
                y_true, y_pred, labels=labels, average=average, zero_division=0
            )
            values[f"precision_{average}"] = float(precision)
            values[f"recall_{average}"] = float(recall)
            values[f"f1_{average}"] = float(f1)
    values["roc_auc"] = float("nan")
    values["log_loss"] = float("nan")
    if probabilities is None:
        notes.append("no probabilities: roc_auc and log_loss are undefined")
        return values, notes
    matrix = _class_probabilities(probabilities, len(labels))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            values["log_loss"] = float(sk.log_loss(y_true, matrix, labels=labels))
        except ValueError as exc:
            notes.append(f"log_loss undefined: {exc}")
        if len(present) < 2:
            notes.append("one class only: roc_auc is undefined")
        else:
            try:
                if len(labels) == 2:
                    values["roc_auc"] = float(sk.roc_auc_score(y_true, matrix[:, 1]))
                else:
                    columns = [labels.index(label) for label in present]
                    sub = matrix[:, columns]
                    sub = sub / np.clip(sub.sum(axis=1, keepdims=True), 1e-12, None)
                    values["roc_auc"] = float(
                        sk.roc_auc_score(
                            y_true, sub, multi_class="ovr", average="macro", labels=present
                        )
                        if len(present) > 2
                        else sk.roc_auc_score(y_true, sub[:, 1])
                    )
                    if missing:
                        notes.append("roc_auc is over the classes present")
            except ValueError as exc:
                notes.append(f"roc_auc undefined: {exc}")
    return values, notes


def regression_metrics(
    y_true: np.ndarray, y_pred: np.ndarray
) -> tuple[dict[str, float], list[str]]:
    """r2, mse, rmse, mae, explained variance (N-D outputs are flattened)."""
    from sklearn import metrics as sk

    truth = np.asarray(y_true, dtype=np.float64).reshape(-1)
    predicted = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    if truth.shape != predicted.shape:
        raise InvalidArgument(
            f"y_true and y_pred hold {truth.size} and {predicted.size} values; they must match."
        )
    notes = []
    mse = float(sk.mean_squared_error(truth, predicted))
    values = {
        "r2": float("nan"),
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(sk.mean_absolute_error(truth, predicted)),
        "explained_variance": float("nan"),
    }
    if len(truth) < 2 or np.all(truth == truth[0]):
        notes.append("constant or single target: r2 and explained_variance are undefined")
    else:
        values["r2"] = float(sk.r2_score(truth, predicted))
        values["explained_variance"] = float(sk.explained_variance_score(truth, predicted))
    return values, notes


def split_metrics(
    analysis_type: str,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    probabilities: np.ndarray | None = None,
    *,
    labels: list | None = None,
    loss: float | None = None,
) -> tuple[dict[str, float], list[str]]:
    """The metrics of one split and notes on any that are undefined.

    Args:
        analysis_type: Which family of metrics.
        y_true: True class indices (classification) or values (regression, any shape).
        y_pred: Predicted class indices or values.
        probabilities: (n, classes), or the positive class's (n,) for binary.
        labels: Every class index, so that absent classes still count.
        loss: The model's own loss on the split, recorded as 'loss'.
    """
    check_analysis_type(analysis_type)
    if analysis_type == "regression":
        values, notes = regression_metrics(y_true, y_pred)
    else:
        truth = np.asarray(y_true).reshape(-1)
        predicted = np.asarray(y_pred).reshape(-1)
        if labels is None:
            labels = sorted(set(truth.tolist()) | set(predicted.tolist()))
            if analysis_type == "classification_binary":
                labels = sorted(set(labels) | {0, 1})
        values, notes = classification_metrics(truth, predicted, probabilities, list(labels))
    if loss is not None:
        values = {"loss": float(loss), **values}
    return values, notes


def aggregate_metrics(per_split: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean, median, standard deviation (ddof 0), minimum and maximum of each metric.

    NaNs (undefined values) are left out; a metric undefined everywhere stays NaN.
    """
    names = list(dict.fromkeys(name for metrics in per_split.values() for name in metrics))
    out = {}
    for name in names:
        values = np.array(
            [metrics.get(name, np.nan) for metrics in per_split.values()], dtype=np.float64
        )
        values = values[~np.isnan(values)]
        if values.size == 0:
            out[name] = dict.fromkeys(STATISTICS, float("nan"))
            continue
        out[name] = {
            "mean": float(values.mean()),
            "median": float(np.median(values)),
            "std": float(values.std()),
            "min": float(values.min()),
            "max": float(values.max()),
        }
    return out
