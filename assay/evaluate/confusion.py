"""A confusion matrix that also says which records are behind each cell."""

from __future__ import annotations

import numpy as np


def confusion_with_indices(
    y_true: np.ndarray, y_pred: np.ndarray, labels: list | None = None
) -> tuple[np.ndarray, dict[tuple[int, int], np.ndarray]]:
    """The matrix (rows true, columns predicted) and each cell's record positions.

    Args:
        y_true: True class of each record, any shape that flattens to (n,).
        y_pred: Predicted class of each record, in the same order.
        labels: The classes in row and column order, e.g. ``[0, 1, 2]`` so that absent
            classes still get a row; None uses the sorted classes that occur. Records of
            other classes are left out.

    Returns:
        ``(matrix, cells)`` where ``cells[(i, j)]`` holds the positions of the records of
        true class ``labels[i]`` predicted as ``labels[j]`` (every cell, empty ones too).
    """
    truth = np.asarray(y_true).reshape(-1)
    predicted = np.asarray(y_pred).reshape(-1)
    if labels is None:
        labels = sorted(set(truth.tolist()) | set(predicted.tolist()))
    position = {label: at for at, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    cells: dict[tuple[int, int], list[int]] = {
        (i, j): [] for i in range(len(labels)) for j in range(len(labels))
    }
    for record, (t, p) in enumerate(zip(truth.tolist(), predicted.tolist(), strict=True)):
        if t in position and p in position:
            i, j = position[t], position[p]
            matrix[i, j] += 1
            cells[(i, j)].append(record)
    return matrix, {cell: np.asarray(rows, dtype=np.int64) for cell, rows in cells.items()}
