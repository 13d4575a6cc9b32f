"""Adapters of estimator libraries: scikit-learn, and XGBoost's scikit-learn interface.

fn_build returns an unfitted estimator, fn_train fits it and returns it. They need no
fn_lose or fn_optimize: the loss of a split is log loss for classification and mean
squared error for regression (unless the Algorithm gives an ``fn_lose`` whose loser is
called as ``loser(label, predictions)``). The model is saved with cloudpickle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from assay.train.adapters.base import Adapter


def _single(features: Any) -> Any:
    """Estimators take one 2-D array; a list of one Feature's array is unwrapped."""
    if isinstance(features, (list, tuple)) and len(features) == 1:
        return features[0]
    return features


def _estimator_predict(analysis_type: str) -> Callable:
    def fn_predict(model: Any, features: Any) -> Any:
        features = _single(features)
        if analysis_type == "regression":
            return model.predict(features)
        if hasattr(model, "predict_proba"):
            probabilities = np.asarray(model.predict_proba(features))
            predictions = probabilities.argmax(axis=1)
            if analysis_type == "classification_binary" and probabilities.shape[1] == 2:
                probabilities = probabilities[:, 1]
            return predictions, probabilities
        return model.predict(features), None

    fn_predict.__doc__ = (
        "predict_proba's argmax and probabilities (binary: of class 1) for classification; "
        "predict for regression."
    )
    return fn_predict


def _truth(label: Any) -> np.ndarray:
    label = np.asarray(label)
    if label.ndim == 2 and label.shape[1] > 1:
        return label.argmax(axis=1)
    return label.reshape(-1)


def estimator_loss(model: Any, features: Any, label: Any, analysis_type: str) -> float:
    """Log loss (classification, from predict_proba) or mean squared error (regression).

    Args:
        model: A fitted estimator; classification needs ``predict_proba``.
        features: One 2-D array (n, columns), or a list holding just that array.
        label: The true values: class values of ``model.classes_``, or one-hot (n, classes)
            for classification; (n,) or (n, outputs) for regression.
        analysis_type: ``'regression'`` gives mean squared error, anything else log loss.
    """
    from sklearn.metrics import log_loss, mean_squared_error

    features = _single(features)
    label = np.asarray(label)
    if analysis_type == "regression":
        predictions = np.asarray(model.predict(features), dtype=np.float64)
        return float(
            mean_squared_error(label.reshape(len(label), -1), predictions.reshape(len(label), -1))
        )
    probabilities = np.asarray(model.predict_proba(features))
    # The estimator's own classes order its probability columns (raw values such as 1, 11,
    # 21 when the label was not encoded); one-hot labels give positions instead.
    classes = getattr(model, "classes_", None)
    truth = _truth(label)
    if classes is None or (label.ndim == 2 and label.shape[1] > 1):
        classes = list(range(probabilities.shape[1]))
    return float(log_loss(truth, probabilities, labels=list(classes)))


class SklearnAdapter(Adapter):
    """scikit-learn: fn_build returns an estimator, fn_train fits it and returns it."""

    name = "sklearn"

    def default_fn_predict(self, analysis_type: str) -> Callable:
        """predict_proba's argmax and probabilities for classification; predict otherwise."""
        return _estimator_predict(analysis_type)

    def history_of(self, model: Any) -> dict | None:
        """MLP-style estimators keep ``loss_curve_`` (and ``validation_scores_``) per epoch."""
        history = {}
        curve = getattr(model, "loss_curve_", None)
        if curve is not None:
            history["loss"] = list(curve)
        scores = getattr(model, "validation_scores_", None)
        if scores is not None:
            history["val_score"] = list(scores)
        return history or None

    def loss(self, fn_lose, model, features, label, analysis_type, hp) -> float:
        """Log loss or mean squared error; with fn_lose, ``fn_lose(**hp)(label, predicted)``.

        Args:
            fn_lose: Returns a loser called as ``loser(label, predicted)`` on the outputs
                of ``model.predict``; None uses ``estimator_loss``.
            model: The fitted estimator.
            features: One 2-D array, or a list holding just that array.
            label: Their label, reshaped to the predictions' shape for fn_lose.
            analysis_type: Used by ``estimator_loss`` only.
            hp: The run's hyperparameters, for ``fn_lose(**hp)``.
        """
        if fn_lose is not None:
            loser = fn_lose(**hp)
            predicted = model.predict(_single(features))
            return float(loser(np.asarray(label).reshape(np.shape(predicted)), predicted))
        return estimator_loss(model, features, label, analysis_type)


class XGBoostAdapter(SklearnAdapter):
    """XGBoost's scikit-learn estimators (XGBClassifier, XGBRegressor); history per tree.

    ``evals_result()`` becomes the history: with two ``eval_set`` entries the first is the
    training set (``loss``) and the second the evaluation set (``val_loss``); with one it is
    the evaluation set. The first eval metric is named ``loss``, others keep their names.
    """

    name = "xgboost"

    def history_of(self, model: Any) -> dict | None:
        """``evals_result()`` mapped to ``loss``/``val_loss`` (see the class)."""
        try:
            results = model.evals_result()
        except Exception:  # not fitted with an eval_set
            return None
        sets = list(results.values())
        prefixes = ["val_"] if len(sets) == 1 else ["", *(["val_"] * (len(sets) - 1))]
        history = {}
        for at, (prefix, metrics) in enumerate(zip(prefixes, sets, strict=True)):
            if at > 1:
                prefix = f"val{at}_"
            for at_metric, (name, values) in enumerate(metrics.items()):
                history[prefix + ("loss" if at_metric == 0 else name)] = list(values)
        return history or None
