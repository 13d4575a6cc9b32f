"""Figures: their traces, titles and axes; and each kind rendered to PNG once."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from assay.evaluate import plots
from assay.evaluate.confusion import confusion_with_indices
from assay.evaluate.curves import precision_recall_curves, roc_curves

NAMES = ["setosa", "versicolor", "virginica"]


@pytest.fixture(scope="module")
def figures():
    x, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=300).fit(x, y)
    probabilities = model.predict_proba(x)
    matrix, _ = confusion_with_indices(y, model.predict(x), labels=[0, 1, 2])
    importance = pd.DataFrame(
        {
            "feature": [1, 1, 1],
            "column": ["petal length", "petal width", "sepal width"],
            "impact": [-0.9, -0.5, -0.01],
        }
    )
    metrics = pd.DataFrame(
        {
            "predictor_id": [1, 1, 2, 2],
            "split": ["train", "test"] * 2,
            "loss": [0.1, 0.2, 0.5, 0.9],
            "accuracy": [0.99, 0.95, 0.8, 0.6],
        }
    )
    return {
        "learning_curve": plots.learning_curve_figures(
            {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2], "accuracy": [0.5, 0.7, 0.9]}
        )[0],
        "roc": plots.roc_figure({"test": roc_curves(y, probabilities, NAMES)}),
        "precision_recall": plots.precision_recall_figure(
            {"test": precision_recall_curves(y, probabilities, NAMES)}
        ),
        "confusion": plots.confusion_figures({"test": matrix}, NAMES)[0],
        "confidence": plots.confidence_figure(probabilities, NAMES, 0, height=175),
        "importance": plots.feature_importance_figures(importance, top_n=2)[0],
        "performance": plots.performance_figure(metrics, score_type="accuracy", max_loss=0.6),
    }


def test_learning_curves_pair_training_and_evaluation():
    figures = plots.learning_curve_figures(
        {"accuracy": [0.1] * 20, "loss": [1.0] * 20, "val_loss": [2.0] * 20}, skip_head=True
    )
    assert [f.layout.title.text for f in figures] == [
        "Learning curve: loss",
        "Learning curve: accuracy",
    ]
    assert [trace.name for trace in figures[0].data] == ["train", "evaluation"]
    assert figures[0].data[0].x[0] == 4  # the first 15% of 20 epochs are skipped


def test_titles_axes_and_traces(figures):
    assert figures["roc"].layout.xaxis.title.text == "false positive rate"
    assert len(figures["roc"].data) == 4  # three classes and the chance line
    assert "setosa" in figures["roc"].data[0].name
    assert figures["precision_recall"].layout.yaxis.title.text == "precision"
    assert list(figures["confusion"].data[0].x) == NAMES
    assert figures["confusion"].layout.title.text == "Confusion matrix: test"
    assert (
        figures["confidence"].layout.height == 175
        and list(figures["confidence"].data[0].y) == NAMES
    )
    assert list(figures["importance"].data[0].y) == ["petal width", "petal length"]
    performance = figures["performance"]
    assert {trace.name for trace in performance.data} == {"train", "test"}
    assert all(len(trace.x) == 1 for trace in performance.data)  # predictor 2 is over max_loss


def test_show_or_return(figures):
    assert plots.show_or_return(figures["roc"], call_display=False) is figures["roc"]


@pytest.mark.parametrize(
    "kind",
    [
        "learning_curve",
        "roc",
        "precision_recall",
        "confusion",
        "confidence",
        "importance",
        "performance",
    ],
)
def test_each_kind_renders_to_png(figures, kind):
    image = figures[kind].to_image(format="png", width=500, height=350)
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 5000
    assert np.frombuffer(image, dtype=np.uint8).size == len(image)
