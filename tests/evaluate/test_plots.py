"""Figures: their traces, titles and axes; and each kind rendered to PNG once."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from assay.errors import InvalidArgument, MissingDependency
from assay.evaluate import plots
from assay.evaluate.confusion import confusion_with_indices
from assay.evaluate.curves import precision_recall_curves, roc_curves
from tests.conftest import chromium_or_skip

NAMES = ["setosa", "versicolor", "virginica"]


@pytest.fixture(scope="module")
def figures():
    x, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=300).fit(x, y)
    probabilities = model.predict_proba(x)
    matrix, _ = confusion_with_indices(y, model.predict(x), labels=[0, 1, 2])
    importance = pd.DataFrame(
        {
            "feature": [1, 1, 1, 2],
            "column": ["petal length", "petal width", "sepal width", "colour"],
            "impact": [-0.9, -0.5, -0.01, -0.2],
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
        "learning_curve": plots.learning_curve_figure(
            {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2], "accuracy": [0.5, 0.7, 0.9]}
        ),
        "roc": plots.roc_figure({"test": roc_curves(y, probabilities, NAMES)}),
        "precision_recall": plots.precision_recall_figure(
            {"test": precision_recall_curves(y, probabilities, NAMES)}
        ),
        "confusion": plots.confusion_figure({"train": matrix, "test": matrix // 3}, NAMES),
        "confidence": plots.confidence_figure(probabilities, NAMES, 0, height=175),
        "importance": plots.feature_importance_figure(importance, top_n=2),
        "performance": plots.performance_figure(metrics, score_type="accuracy", max_loss=0.6),
    }


def subplot_titles(figure):
    return [annotation.text for annotation in figure.layout.annotations]


def test_learning_curves_one_figure_a_subplot_per_metric():
    figure = plots.learning_curve_figure(
        {"accuracy": [0.1] * 20, "loss": [1.0] * 20, "val_loss": [2.0] * 20}, skip_head=True
    )
    assert isinstance(figure, go.Figure) and subplot_titles(figure) == ["loss", "accuracy"]
    assert [(trace.name, trace.xaxis) for trace in figure.data] == [
        ("train", "x"),
        ("evaluation", "x"),
        ("train", "x2"),
    ]
    assert [trace.showlegend for trace in figure.data] == [True, True, False]  # once per name
    assert figure.data[2].line.color == figure.data[0].line.color
    assert figure.data[0].x[0] == 4  # the first 15% of 20 epochs are skipped
    assert (
        figure.layout.yaxis.title.text == "loss" and figure.layout.yaxis2.title.text == "accuracy"
    )


def test_confusion_matrices_one_figure_a_heatmap_per_split(figures):
    figure = figures["confusion"]
    assert subplot_titles(figure) == ["train", "test"]
    assert [list(trace.x) for trace in figure.data] == [NAMES, NAMES]
    assert {trace.coloraxis for trace in figure.data} == {"coloraxis"}  # one shared scale
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (0, 1)
    train, test = figure.data
    assert train.z[0][0] == pytest.approx(1.0) and test.text[0][0] == 16  # share, count
    assert figure.layout.yaxis.autorange == figure.layout.yaxis2.autorange == "reversed"


def test_feature_importance_one_figure_a_subplot_per_feature(figures):
    figure = figures["importance"]
    assert subplot_titles(figure) == ["Feature 1", "Feature 2"]
    assert [list(trace.y) for trace in figure.data] == [["petal width", "petal length"], ["colour"]]
    assert figure.layout.xaxis.matches == "x2" or figure.layout.xaxis2.matches == "x"


def test_binary_roc_has_a_curve_per_class():
    y = np.array([0, 1, 1, 0, 1, 0])
    positive = np.array([0.2, 0.7, 0.6, 0.4, 0.9, 0.1])
    figure = plots.roc_figure({"test": roc_curves(y, positive, ["benign", "malignant"])})
    assert [trace.name.split(" (")[0] for trace in figure.data] == [
        "test: benign",
        "test: malignant",
        "chance",
    ]


def test_titles_axes_and_traces(figures):
    assert figures["roc"].layout.xaxis.title.text == "false positive rate"
    assert len(figures["roc"].data) == 4  # three classes and the chance line
    assert "setosa" in figures["roc"].data[0].name
    assert figures["precision_recall"].layout.yaxis.title.text == "precision"
    assert figures["confusion"].layout.title.text == "Confusion matrices"
    assert (
        figures["confidence"].layout.height == 175
        and list(figures["confidence"].data[0].y) == NAMES
    )
    assert list(figures["importance"].data[0].y) == ["petal width", "petal length"]
    performance = figures["performance"]
    assert {trace.name for trace in performance.data} == {"train", "test"}
    assert all(len(trace.x) == 1 for trace in performance.data)  # predictor 2 is over max_loss


def test_show_or_return(figures, monkeypatch):
    assert plots.show_or_return(figures["roc"], call_display=False) is figures["roc"]
    shown = []
    monkeypatch.setattr(go.Figure, "show", lambda figure: shown.append(figure))
    assert plots.show_or_return(figures["confusion"], call_display=True) is None
    assert shown == [figures["confusion"]]


@pytest.mark.parametrize("kind", ["learning_curve", "confusion", "importance"])
def test_one_figure_writes_html(figures, kind, tmp_path):
    figures[kind].write_html(tmp_path / f"{kind}.html", include_plotlyjs=False)
    assert "Plotly.newPlot" in (tmp_path / f"{kind}.html").read_text()


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
def test_each_kind_renders_to_png(figures, kind, chromium):
    image = plots.to_image(figures[kind], format="png", width=500, height=350)
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 5000
    assert np.frombuffer(image, dtype=np.uint8).size == len(image)


@pytest.fixture
def no_downloaded_browser(monkeypatch):
    """Hide a copy of Chrome that kaleido may have downloaded, so that BROWSER_PATH decides."""
    from choreographer.browsers import chromium

    monkeypatch.setattr(chromium, "get_chrome_download_path", lambda **_: None)
    monkeypatch.setattr(chromium, "get_old_chrome_download_path", lambda: None)


def test_the_browser_is_found_as_kaleido_finds_it(no_downloaded_browser, monkeypatch, tmp_path):
    browser = tmp_path / "chrome"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(browser))
    assert plots.chromium_path() == str(browser)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "absent"))
    assert plots.chromium_path() is None
    figure = plots.confidence_figure(np.array([[0.2, 0.8]]), ["a", "b"], 0)
    with pytest.raises(RuntimeError, match="Chrome"):  # kaleido finds none either
        figure.to_image(format="png")
    with pytest.raises(MissingDependency, match=r"BROWSER_PATH=.*absent.*apt-get install chromium"):
        plots.to_image(figure)


def test_write_image_without_a_browser_says_what_to_install(figures, monkeypatch, tmp_path):
    monkeypatch.setattr(plots, "chromium_path", lambda: None)
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    with pytest.raises(MissingDependency, match="none was found; install Debian's chromium"):
        plots.write_image(figures["roc"], tmp_path / "roc.png")
    assert not (tmp_path / "roc.png").exists()


def test_write_image_needs_a_known_format(figures, tmp_path):
    with pytest.raises(InvalidArgument, match=r"path must end in one of \.png"):
        plots.write_image(figures["roc"], tmp_path / "roc")
    with pytest.raises(InvalidArgument, match="format must be one of"):
        plots.write_image(figures["roc"], tmp_path / "roc.eps")


def test_write_image_writes_the_file(figures, chromium, tmp_path):
    written = plots.write_image(figures["confusion"], tmp_path / "confusion.svg", width=400)
    assert written.read_text().lstrip().startswith("<svg")


def test_png_tests_skip_without_a_browser_unless_required(monkeypatch):
    monkeypatch.setattr(plots, "chromium_path", lambda: None)
    monkeypatch.delenv("ASSAY_REQUIRE_CHROMIUM", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install chromium.*\.ci/run"):
        chromium_or_skip()
    monkeypatch.setenv("ASSAY_REQUIRE_CHROMIUM", "1")
    with pytest.raises(pytest.fail.Exception, match="ASSAY_REQUIRE_CHROMIUM is set"):
        chromium_or_skip()


def test_nothing_to_plot_names_the_argument():
    with pytest.raises(InvalidArgument, match="matrices must hold something to plot"):
        plots.confusion_figure({}, NAMES)
    with pytest.raises(InvalidArgument, match="history must hold something to plot"):
        plots.learning_curve_figure({"val_loss": [1.0]})


def test_a_render_is_tried_again_when_kaleidos_page_was_not_ready(figures, monkeypatch):
    from kaleido.errors import JavascriptError

    calls = []

    def flaky(figure, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise JavascriptError("ReferenceError: kaleido_scopes is not defined")
        return b"\x89PNG\r\n\x1a\n"

    monkeypatch.setattr(plots, "_check_renderer", lambda *args: None)
    monkeypatch.setattr(type(figures["roc"]), "to_image", flaky)
    assert plots.to_image(figures["roc"], format="png") == b"\x89PNG\r\n\x1a\n"
    assert len(calls) == 2
    calls.clear()

    def broken(figure, **kwargs):
        calls.append(kwargs)
        raise JavascriptError("TypeError: something else")

    monkeypatch.setattr(type(figures["roc"]), "to_image", broken)
    with pytest.raises(JavascriptError, match="something else"):
        plots.to_image(figures["roc"], format="png")
    assert len(calls) == 1
