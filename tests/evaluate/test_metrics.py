import math

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

from assay.errors import InvalidArgument
from assay.evaluate.metrics import (
    aggregate_metrics,
    default_score_metric,
    metric_names,
    split_metrics,
)


def test_binary_classification_on_breast_cancer():
    x, y = load_breast_cancer(return_X_y=True)
    model = LogisticRegression(max_iter=5000).fit(x, y)
    probabilities = model.predict_proba(x)
    metrics, notes = split_metrics(
        "classification_binary", y, model.predict(x), probabilities[:, 1], loss=0.1
    )
    assert set(metric_names("classification_binary")) | {"loss"} == set(metrics)
    assert metrics["accuracy"] > 0.9 and metrics["roc_auc"] > 0.95 and metrics["loss"] == 0.1
    same, _ = split_metrics("classification_binary", y, model.predict(x), probabilities)
    assert same["roc_auc"] == pytest.approx(metrics["roc_auc"]) and notes == []


def test_a_fold_missing_a_class_is_defined_and_noted():
    x, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000).fit(x, y)
    fold = y != 2  # class 2 is absent from this fold
    metrics, notes = split_metrics(
        "classification_multi",
        y[fold],
        model.predict(x[fold]),
        model.predict_proba(x[fold]),
        labels=[0, 1, 2],
    )
    assert not math.isnan(metrics["accuracy"]) and not math.isnan(metrics["log_loss"])
    assert 0 <= metrics["precision_macro"] <= 1
    assert any("[2]" in note for note in notes)
    one_class, notes = split_metrics(
        "classification_multi",
        np.zeros(5, int),
        np.zeros(5, int),
        np.tile([1.0, 0, 0], (5, 1)),
        labels=[0, 1, 2],
    )
    assert math.isnan(one_class["roc_auc"]) and any("roc_auc" in note for note in notes)


def test_regression_on_diabetes_and_windows():
    x, y = load_diabetes(return_X_y=True)
    predicted = LinearRegression().fit(x, y).predict(x)
    metrics, _ = split_metrics("regression", y, predicted)
    assert metrics["rmse"] == pytest.approx(math.sqrt(metrics["mse"]))
    assert 0.4 < metrics["r2"] < 0.6
    windows = np.random.default_rng(0).normal(size=(10, 7, 2))
    metrics, _ = split_metrics("regression", windows, windows + 1)
    assert metrics["mae"] == pytest.approx(1.0)


def test_aggregate_across_splits():
    aggregate = aggregate_metrics(
        {"train": {"accuracy": 1.0}, "test": {"accuracy": 0.5}, "fold": {"accuracy": float("nan")}}
    )
    assert aggregate["accuracy"] == {
        "mean": 0.75,
        "median": 0.75,
        "std": 0.25,
        "min": 0.5,
        "max": 1.0,
    }


def test_names_and_errors():
    assert default_score_metric("regression") == "r2"
    assert default_score_metric("classification_multi") == "accuracy"
    with pytest.raises(InvalidArgument, match="analysis_type"):
        split_metrics("ranking", [1], [1])


@pytest.mark.parametrize("seed", range(12))
def test_counted_metrics_are_scikit_learns(seed):
    from sklearn import metrics as sk

    from assay.evaluate.metrics import counted_metrics

    rng = np.random.default_rng(seed)
    count = int(rng.integers(2, 6))
    size = int(rng.integers(1, 40))
    # Some seeds leave classes out of the truth, the predictions, or both.
    y_true = rng.integers(0, max(1, count - seed % 3), size)
    y_pred = rng.integers(seed % 2, count, size).astype(float if seed % 4 == 0 else int)
    labels = list(range(count))
    ours = counted_metrics(y_true, y_pred, labels)
    expected = {"accuracy": sk.accuracy_score(y_true, y_pred)}
    for average in ("macro", "micro", "weighted"):
        p, r, f, _ = sk.precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=average, zero_division=0
        )
        expected.update({f"precision_{average}": p, f"recall_{average}": r, f"f1_{average}": f})
    assert list(ours) == list(expected)
    assert ours == pytest.approx(expected, abs=1e-12)


def test_counted_metrics_leave_classes_outside_the_labels_to_scikit_learn():
    from assay.evaluate.metrics import counted_metrics

    assert counted_metrics(np.array([0, 1, 3]), np.array([0, 1, 1]), [0, 1, 2]) is None
    assert counted_metrics(np.array([0, 1]), np.array([0, 1]), [1, 0]) is None
    metrics, _ = split_metrics(
        "classification_multi", np.array([0, 1, 3]), np.array([0, 1, 1]), labels=[0, 1, 2]
    )
    assert metrics["accuracy"] == pytest.approx(2 / 3)
