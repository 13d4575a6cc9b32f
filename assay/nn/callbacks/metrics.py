"""Metric callbacks: a score of the validation fold's predictions, once per validation epoch.

An ``EvalMetric`` collects the validation fold's predictions, targets and weights batch by
batch and scores them when the fold ends, so the value is in ``fit_params.history[name]``
(and ``fit_params.metrics[name]``) before any ``on_epoch_end``: EarlyStopping and SaveBest
may monitor it by name, whatever the order of the callbacks. ``train_models`` takes them as
``metric_partials`` and reports each at the model's best epoch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from assay.errors import InvalidArgument
from assay.nn.callbacks.base import Callback

ScoreFn = Callable[..., float]


class EvalMetric(Callback):
    """Scores the validation fold with ``score_fn(y_true, y_pred, sample_weight=w)``.

    ``y_pred`` are predictions as users read them (probabilities for a classifier).

    Args:
        name: The metric's name in the history and in ``train_models``' results.
        score_fn: A function of targets and predictions (NumPy arrays, one row each) and
            ``sample_weight`` (None without weights), e.g. a scikit-learn metric.
        higher_better: Whether larger values are better.
        on_weights: Pass the fold's weights as ``sample_weight``.
    """

    def __init__(
        self, name: str, score_fn: ScoreFn, higher_better: bool, on_weights: bool = True
    ) -> None:
        if not isinstance(name, str) or not name or name in ("trn_loss", "val_loss"):
            raise InvalidArgument(
                f"name must be a non-empty str other than trn_loss and val_loss; got {name!r}."
            )
        if not callable(score_fn):
            raise InvalidArgument(f"score_fn must be callable; got {score_fn!r}.")
        self.name = name
        self.score_fn = score_fn
        self.higher_better = bool(higher_better)
        self.on_weights = on_weights
        self._parts: list[tuple[Any, Any, Any]] = []

    def on_fold_begin(self) -> None:
        """Start collecting the validation fold."""
        self._parts = []

    def on_forwards_end(self) -> None:
        """Keep the validation batch's targets, predictions and weights."""
        fp = self.model.fit_params
        if fp.state == "valid":
            w = fp.w.detach().cpu() if fp.w is not None else None
            y_pred = self.model.to_predictions(fp.y_pred.detach())
            self._parts.append((fp.y.detach().cpu(), y_pred.cpu(), w))

    def on_fold_end(self) -> None:
        """Score the validation fold and record the value."""
        fp = self.model.fit_params
        if fp.state != "valid" or not self._parts:
            return
        y_true = np.concatenate([y.numpy() for y, _, _ in self._parts])
        y_pred = np.concatenate([p.numpy() for _, p, _ in self._parts])
        weights = None
        if self.on_weights and all(w is not None for _, _, w in self._parts):
            weights = np.concatenate([w.numpy() for _, _, w in self._parts])
        self._parts = []
        value = float(self.score(y_true, y_pred, weights))
        fp.metrics[self.name] = value
        fp.record(self.name, value)

    def score(self, y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray | None) -> float:
        """The metric of one fold; single-column arrays are passed flat."""
        if y_true.ndim == 2 and y_true.shape[1] == 1:
            y_true = y_true[:, 0]
        if y_pred.ndim == 2 and y_pred.shape[1] == 1:
            y_pred = y_pred[:, 0]
        return self.score_fn(y_true, y_pred, sample_weight=weights)


class RocAucScore(EvalMetric):
    """The area under the ROC curve of a binary classifier (higher is better)."""

    def __init__(self, name: str = "roc_auc", on_weights: bool = True) -> None:
        from sklearn.metrics import roc_auc_score

        super().__init__(name, roc_auc_score, higher_better=True, on_weights=on_weights)


class MeanAbsoluteError(EvalMetric):
    """The mean absolute error of a regression (lower is better)."""

    def __init__(self, name: str = "mae", on_weights: bool = True) -> None:
        from sklearn.metrics import mean_absolute_error

        super().__init__(name, mean_absolute_error, higher_better=False, on_weights=on_weights)
