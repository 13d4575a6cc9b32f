"""The performance-analysis functions: confusion cells, curves, summary, importance."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from assay.errors import InvalidArgument
from assay.evaluate.confusion import confusion_with_indices
from assay.evaluate.curves import precision_recall_curves, roc_curves
from assay.evaluate.importance import permutation_importance
from assay.evaluate.summary import performance_summary


@pytest.fixture(scope="module")
def iris_model():
    x, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=200, C=0.05).fit(x, y)
    return x, y, model


def test_confusion_cells_point_at_their_records(iris_model):
    x, y, model = iris_model
    predicted = model.predict(x)
    matrix, cells = confusion_with_indices(y, predicted, labels=[0, 1, 2])
    assert matrix.sum() == 150 and matrix.trace() == (predicted == y).sum()
    for (i, j), rows in cells.items():
        assert len(rows) == matrix[i, j]
        assert (y[rows] == i).all() and (predicted[rows] == j).all()


def test_curves_per_class(iris_model):
    x, y, model = iris_model
    probabilities = model.predict_proba(x)
    roc = roc_curves(y, probabilities, ["setosa", "versicolor", "virginica"])
    assert set(roc) == {"setosa", "versicolor", "virginica"} and roc["setosa"]["auc"] > 0.99
    pr = precision_recall_curves(y, probabilities, ["setosa", "versicolor", "virginica"])
    assert 0 < pr["versicolor"]["average_precision"] <= 1
    missing = roc_curves(y[y != 2], probabilities[y != 2])
    assert "2" not in missing  # a class absent from the samples has no curve


@pytest.mark.parametrize("columns", [1, 2], ids=["positive_column", "both_columns"])
def test_binary_curves_per_class(columns):
    y = np.array([0, 0, 1, 1, 0, 1, 1, 0])
    positive = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.7])
    probabilities = positive if columns == 1 else np.column_stack([1 - positive, positive])
    roc = roc_curves(y, probabilities, ["benign", "malignant"])
    assert list(roc) == ["benign", "malignant"]
    assert roc["benign"]["auc"] == pytest.approx(roc["malignant"]["auc"])  # one-vs-rest mirrors
    pr = precision_recall_curves(y, probabilities, ["benign", "malignant"])
    assert list(pr) == ["benign", "malignant"]
    expected = average_precision_score(y == 0, 1 - positive)
    assert pr["benign"]["average_precision"] == pytest.approx(expected)
    assert list(roc_curves(y, probabilities)) == ["0", "1"]  # unnamed: the class indices


def test_curves_need_a_name_per_class(iris_model):
    x, y, model = iris_model
    with pytest.raises(InvalidArgument, match="class_names"):
        roc_curves(y, model.predict_proba(x), ["setosa", "versicolor"])


def test_summary_format(iris_model):
    x, y, model = iris_model
    summary = performance_summary(
        y,
        model.predict(x),
        model.predict_proba(x),
        class_names=["setosa", "versicolor", "virginica"],
    )
    assert set(summary) == {
        "loss",
        "accuracy",
        *[
            f"{a}_{m}"
            for a in ("macro", "micro", "weighted")
            for m in ("precision", "recall", "f1")
        ],
        "precision_recall_f1_per_label",
    }
    parts = summary["precision_recall_f1_per_label"].split(";")
    assert [part.split("-")[0] for part in parts] == ["setosa", "versicolor", "virginica"]
    assert all(len(part.split("-")[1].split(",")) == 3 for part in parts)
    assert summary["loss"] > 0


def test_permutation_importance_finds_the_column_that_matters():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    y = 3 * x[:, 0]
    calls = []

    def loss_of(features):
        calls.append(1)
        return float(np.mean((3 * features[0][:, 0] - y) ** 2))

    result = permutation_importance([x], loss_of, permute_count=4, column_names=[["a", "b", "c"]])
    assert len(calls) == 1 + 3 * 4
    assert result[0]["a"]["impact"] < -1 and result[0]["b"]["impact"] == 0
    assert len(result[0]["a"]["losses"]) == 4
    a = result[0]["a"]
    assert a["impacts"] == [0.0 - loss for loss in a["losses"]]  # the training loss is 0
    assert a["impact"] == np.median(a["impacts"])
    skipped = permutation_importance(
        [x, x], loss_of, permute_count=1, column_names=[["a", "b", "c"]] * 2, skip={1}
    )
    assert set(skipped) == {0}
