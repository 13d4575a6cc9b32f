"""The performance summary of a classifier, in the shape the analysis document gives."""

from __future__ import annotations

from typing import Any

import numpy as np


def performance_summary(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    probabilities: np.ndarray | None = None,
    *,
    class_names: list[str] | None = None,
    loss: float | None = None,
) -> dict[str, Any]:
    """Loss, accuracy, macro/micro/weighted precision, recall and F1, and per-label scores.

    ``precision_recall_f1_per_label`` is one string, ``label-p,r,f1`` per class joined by
    ``;``, each value written in full (``setosa-1.0,0.5,1.0;virginica-...``).

    Args:
        y_true: True class indices, any shape that flattens to (n,).
        y_pred: Predicted class indices, in the same order.
        probabilities: (n, classes), or the positive class's (n,) for binary; used for
            the log loss when ``loss`` is None.
        class_names: The name of each class index, in order; None names classes by the
            indices that occur.
        loss: The model's own loss on these samples; None uses the log loss of
            ``probabilities``, or leaves ``loss`` None without them.
    """
    from sklearn import metrics as sk

    truth = np.asarray(y_true).reshape(-1)
    predicted = np.asarray(y_pred).reshape(-1)
    labels = sorted(set(truth.tolist()) | set(predicted.tolist()))
    if class_names is not None:
        labels = list(range(len(class_names)))
    names = (
        [str(name) for name in class_names]
        if class_names is not None
        else [str(label) for label in labels]
    )
    summary: dict[str, Any] = {"loss": None if loss is None else float(loss)}
    if loss is None and probabilities is not None:
        from assay.evaluate.metrics import _class_probabilities

        summary["loss"] = float(
            sk.log_loss(truth, _class_probabilities(probabilities, len(labels)), labels=labels)
        )
    summary["accuracy"] = float(sk.accuracy_score(truth, predicted))
    for average in ("macro", "micro", "weighted"):
        precision, recall, f1, _ = sk.precision_recall_fscore_support(
            truth, predicted, labels=labels, average=average, zero_division=0
        )
        summary[f"{average}_precision"] = float(precision)
        summary[f"{average}_recall"] = float(recall)
        summary[f"{average}_f1"] = float(f1)
    precision, recall, f1, _ = sk.precision_recall_fscore_support(
        truth, predicted, labels=labels, average=None, zero_division=0
    )
    summary["precision_recall_f1_per_label"] = ";".join(
        f"{name}-{float(p)},{float(r)},{float(f)}"
        for name, p, r, f in zip(names, precision, recall, f1, strict=True)
    )
    return summary
