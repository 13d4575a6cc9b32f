"""Plotly figures for evaluation: learning curves, ROC, precision-recall, confusion, more.

Each function returns one figure (what there is one of per split, metric or Feature is a
subplot of it); ``show_or_return`` displays it (``call_display=True``) or hands it back. Plotly is imported only when a figure is made. ``write_image`` and
``to_image`` render a figure with kaleido, which drives a Chrome or Chromium found on the
machine (``chromium_path``); without one they say what to install.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument, MissingDependency, require

TEMPLATE = "plotly_white"
IMAGE_FORMATS = ("png", "jpg", "jpeg", "webp", "svg", "pdf")
CHROMIUM_ADVICE = (
    "install Debian's chromium (apt-get install chromium), Google Chrome, or kaleido's own "
    "copy (plotly_get_chrome)"
)


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def show_or_return(figure: Any, call_display: bool) -> Any:
    """Display the figure and return None, or return it untouched."""
    if not call_display:
        return figure
    figure.show()
    return None


def _grid(titles: list[str], columns: int, argument: str, **options: Any) -> tuple[Any, list]:
    """A figure with a titled subplot per title, ``columns`` to a row, and each one's cell.

    Args:
        titles: One title per subplot.
        columns: The most subplots to a row.
        argument: The caller's argument that gave the titles, for the error.
        **options: Passed to ``plotly.subplots.make_subplots``.

    Returns:
        The figure and, per title, the ``{"row": r, "col": c}`` to add its traces at.

    Raises:
        InvalidArgument: No titles: nothing to plot.
    """
    from plotly.subplots import make_subplots

    if not titles:
        raise InvalidArgument(f"{argument} must hold something to plot; got none.")
    columns = min(columns, len(titles))
    rows = math.ceil(len(titles) / columns)
    figure = make_subplots(
        rows=rows, cols=columns, subplot_titles=[str(title) for title in titles], **options
    )
    cells = [{"row": at // columns + 1, "col": at % columns + 1} for at in range(len(titles))]
    return figure, cells


def learning_curve_figure(history: dict[str, list[float]], skip_head: bool = False) -> Any:
    """A subplot per metric (loss first): training and, where it has a ``val_`` twin, evaluation.

    ``skip_head`` leaves out the first 15% of epochs, whose high early loss squashes the rest.
    """
    from plotly.colors import DEFAULT_PLOTLY_COLORS

    go = _go()
    names = [key for key in history if not key.startswith("val_")]
    names.sort(key=lambda key: (key != "loss", key))
    figure, cells = _grid(names, 2, "history")
    colours = {"train": DEFAULT_PLOTLY_COLORS[0], "evaluation": DEFAULT_PLOTLY_COLORS[1]}
    for name, cell in zip(names, cells, strict=True):
        series = {"train": list(history[name])}
        if "val_" + name in history:
            series["evaluation"] = list(history["val_" + name])
        start = math.ceil(len(series["train"]) * 0.15) if skip_head else 0
        for label, values in series.items():
            epochs = list(range(start + 1, len(values) + 1))
            figure.add_trace(
                go.Scatter(
                    x=epochs,
                    y=values[start:],
                    mode="lines",
                    name=label,
                    legendgroup=label,
                    showlegend=not any(trace.name == label for trace in figure.data),
                    line={"color": colours[label]},
                ),
                **cell,
            )
        figure.update_xaxes(title_text="epoch", **cell)
        figure.update_yaxes(title_text=name, **cell)
    rows = cells[-1]["row"]
    figure.update_layout(title="Learning curves", height=100 + 300 * rows, template=TEMPLATE)
    return figure


def roc_figure(
    curves_by_split: dict[str, dict[str, dict[str, Any]]], title: str = "ROC curves"
) -> Any:
    """One line per split and class: true positive rate against false positive rate."""
    go = _go()
    figure = go.Figure()
    for split, curves in curves_by_split.items():
        for name, curve in curves.items():
            figure.add_trace(
                go.Scatter(
                    x=curve["fpr"],
                    y=curve["tpr"],
                    mode="lines",
                    name=f"{split}: {name} (AUC {curve['auc']:.3f})",
                )
            )
    figure.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dash"})
    )
    figure.update_layout(
        title=title,
        xaxis_title="false positive rate",
        yaxis_title="true positive rate",
        template=TEMPLATE,
    )
    return figure


def precision_recall_figure(
    curves_by_split: dict[str, dict[str, dict[str, Any]]], title: str = "Precision-recall curves"
) -> Any:
    """One line per split and class: precision against recall."""
    go = _go()
    figure = go.Figure()
    for split, curves in curves_by_split.items():
        for name, curve in curves.items():
            figure.add_trace(
                go.Scatter(
                    x=curve["recall"],
                    y=curve["precision"],
                    mode="lines",
                    name=f"{split}: {name} (AP {curve['average_precision']:.3f})",
                )
            )
    figure.update_layout(
        title=title, xaxis_title="recall", yaxis_title="precision", template=TEMPLATE
    )
    return figure


def confusion_figure(matrices: dict[str, np.ndarray], class_names: list[str]) -> Any:
    """A heatmap per split: true classes down, predicted across, each cell's count written.

    The colour is the share of the true class (each row sums to 1), on one scale shared by
    every split, so that splits of different sizes compare.
    """
    go = _go()
    names = [str(name) for name in class_names]
    figure, cells = _grid(list(matrices), 3, "matrices", horizontal_spacing=0.08)
    for (split, matrix), cell in zip(matrices.items(), cells, strict=True):
        counts = np.asarray(matrix)
        totals = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
        figure.add_trace(
            go.Heatmap(
                z=share,
                x=names,
                y=names,
                text=counts,
                texttemplate="%{text}",
                coloraxis="coloraxis",
                name=str(split),
                hovertemplate="true %{y}, predicted %{x}: %{text} (%{z:.0%} of the class)",
            ),
            **cell,
        )
        figure.update_xaxes(title_text="predicted class", **cell)
        figure.update_yaxes(
            title_text="true class" if cell["col"] == 1 else None, autorange="reversed", **cell
        )
    figure.update_layout(
        title="Confusion matrices",
        coloraxis={
            "colorscale": "Blues",
            "cmin": 0,
            "cmax": 1,
            "colorbar": {"title": {"text": "share of<br>true class"}},
        },
        height=100 + 380 * cells[-1]["row"],
        template=TEMPLATE,
    )
    return figure


def confidence_figure(
    probabilities: np.ndarray,
    class_names: list[str],
    prediction_index: int,
    height: int | None = None,
    split_name: str = "test",
) -> Any:
    """The probability of each class for one sample, as horizontal bars.

    Args:
        probabilities: One split's (n, classes), or the positive class's (n,) for binary.
        class_names: One name per class; a count that does not match labels the bars by
            class index instead.
        prediction_index: The sample's row in ``probabilities``.
        height: The figure's height in pixels; None leaves it to plotly.
        split_name: The split's name, shown in the title.
    """
    go = _go()
    row = np.asarray(probabilities, dtype=np.float64)[prediction_index]
    row = np.atleast_1d(row)
    names = [str(name) for name in class_names]
    if row.size == 1:  # binary: the positive class's probability
        row = np.array([1 - row[0], row[0]])
    if len(names) != row.size:
        names = [str(at) for at in range(row.size)]
    figure = go.Figure(go.Bar(x=row, y=names, orientation="h", text=[f"{v:.3f}" for v in row]))
    figure.update_layout(
        title=f"Confidence of sample {prediction_index} ({split_name})",
        xaxis_title="probability",
        yaxis_title="class",
        xaxis={"range": [0, 1]},
        height=height,
        template=TEMPLATE,
    )
    return figure


def feature_importance_figure(
    frame: pd.DataFrame, top_n: int = 10, height: int | None = None, margin_left: int | None = None
) -> Any:
    """A bar chart per Feature of its ``top_n`` columns by loss impact, on one shared x axis.

    ``frame`` has columns feature, column and impact (training loss minus the median loss
    with the column shuffled: the more negative, the more important).

    Args:
        frame: One row per (feature, column) with its impact, as above.
        top_n: The most columns each Feature's chart shows, most negative impact first.
        height: The figure's height in pixels; None sizes it to the bars (28 pixels a row,
            300 at least).
        margin_left: Room for the column names in pixels; None fits the longest name
            (400 at most).
    """
    go = _go()
    tops = [
        (feature, group.sort_values("impact").head(top_n).iloc[::-1])
        for feature, group in frame.groupby("feature", sort=False)
    ]
    sizes = [len(top) + 2 for _, top in tops]  # bars, and room for the subplot's title
    height = height or max(300, 80 + 28 * sum(sizes))
    figure, cells = _grid(
        [f"Feature {feature}" for feature, _ in tops],
        1,
        "frame",
        shared_xaxes=True,
        row_heights=sizes,
        vertical_spacing=min(0.1, 40 / height),
    )
    for (_, top), cell in zip(tops, cells, strict=True):
        labels = [str(column) for column in top["column"]]
        figure.add_trace(
            go.Bar(x=top["impact"], y=labels, orientation="h", showlegend=False), **cell
        )
    longest = max((len(str(column)) for column in frame["column"]), default=10)
    figure.update_xaxes(
        title_text="loss impact (training loss - median shuffled loss)", **cells[-1]
    )
    figure.update_layout(
        title="Feature importance",
        height=height,
        margin={"l": margin_left or min(400, 20 + 8 * longest)},
        template=TEMPLATE,
    )
    return figure


def performance_figure(
    frame: pd.DataFrame,
    *,
    score_type: str,
    max_loss: float | None = None,
    min_score: float | None = None,
    height: int | None = None,
) -> Any:
    """Every model's loss (x) against its score (y), one marker per split, to compare them.

    A model is left out when any of its splits has a loss above ``max_loss`` or a score
    below ``min_score``.

    Args:
        frame: ``Queue.metrics_df()``: one row per (predictor_id, split), with ``loss`` and
            the ``score_type`` column; rows missing either are skipped.
        score_type: The metric on the y axis, e.g. ``'accuracy'`` or ``'r2'``.
        max_loss: The highest loss a model may have on any split; None keeps all.
        min_score: The lowest score a model may have on any split; None keeps all.
        height: The figure's height in pixels; None means 560.
    """
    go = _go()
    data = frame.dropna(subset=["loss", score_type])
    keep = data.groupby("predictor_id").filter(
        lambda group: (
            (max_loss is None or group["loss"].max() <= max_loss)
            and (min_score is None or group[score_type].min() >= min_score)
        )
    )
    figure = go.Figure()
    for split, group in keep.groupby("split", sort=False):
        figure.add_trace(
            go.Scatter(
                x=group["loss"],
                y=group[score_type],
                mode="markers",
                name=str(split),
                text=[f"Predictor {p}" for p in group["predictor_id"]],
                hovertemplate="%{text}<br>loss %{x:.4f}<br>" + score_type + " %{y:.4f}",
            )
        )
    figure.update_layout(
        title=f"Models by loss and {score_type}",
        xaxis_title="loss",
        yaxis_title=score_type,
        height=height or 560,
        template=TEMPLATE,
    )
    return figure


def chromium_path() -> str | None:
    """The Chrome or Chromium that kaleido will render with, or None where there is none.

    Found as kaleido >= 1.0 finds it (through choreographer): its own downloaded copy, then
    ``BROWSER_PATH``, then chrome, chromium and edge on ``PATH`` and in their usual places.
    """
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:  # no kaleido >= 1.0: nothing to render with
        return None
    path = Chromium.find_browser(skip_local=False)
    return path if path and Path(path).is_file() else None


def _check_renderer(caller: str, format: str) -> None:
    """Raise before rendering what kaleido would fail on: a format, kaleido or its browser."""
    if str(format).lower() not in IMAGE_FORMATS:
        raise InvalidArgument(f"format must be one of {', '.join(IMAGE_FORMATS)}; got {format!r}.")
    require("kaleido", extra="plots", caller=caller)
    if chromium_path() is None:
        where = os.environ.get("BROWSER_PATH")
        found = f"BROWSER_PATH={where!r} is not a file" if where else "none was found"
        raise MissingDependency(
            f"{caller} renders with kaleido, which drives a Chrome or Chromium browser, and "
            f"{found}; {CHROMIUM_ADVICE}. figure.write_html needs no browser."
        )


def to_image(figure: Any, format: str = "png", **kwargs: Any) -> bytes:
    """A figure rendered to image bytes, or an error that says what to install.

    Args:
        figure: A Plotly figure.
        format: One of ``IMAGE_FORMATS``.
        **kwargs: Passed to ``figure.to_image``: width, height, scale.

    Returns:
        The encoded image.

    Raises:
        InvalidArgument: An unknown format.
        MissingDependency: kaleido, or the browser it drives, is not installed.
    """
    _check_renderer("to_image", format)
    return _rendering(lambda: figure.to_image(format=format, **kwargs))


def write_image(figure: Any, path: str | os.PathLike, **kwargs: Any) -> Path:
    """Write a figure to an image file, its format from the suffix (or ``format=``).

    Args:
        figure: A Plotly figure.
        path: Where to write, e.g. ``roc.png``; the suffix is one of ``IMAGE_FORMATS``.
        **kwargs: Passed to ``figure.write_image``: format, width, height, scale.

    Returns:
        The path written.

    Raises:
        InvalidArgument: No format, or an unknown one.
        MissingDependency: kaleido, or the browser it drives, is not installed.
    """
    path = Path(path)
    format = kwargs.pop("format", None) or path.suffix.lstrip(".")
    if not format:
        raise InvalidArgument(
            f"path must end in one of .{', .'.join(IMAGE_FORMATS)} (or pass format=); "
            f"got {str(path)!r}."
        )
    _check_renderer("write_image", format)
    _rendering(lambda: figure.write_image(path, format=format, **kwargs))
    return path


#: Tries of one render: kaleido's headless page sometimes answers before its script has
#: loaded (``ReferenceError: kaleido_scopes is not defined``), seen on a loaded machine.
RENDER_TRIES = 3


def _rendering(render: Callable[[], Any]) -> Any:
    """Call ``render``, trying again when kaleido's page was not ready yet."""
    from kaleido.errors import JavascriptError

    for attempt in range(RENDER_TRIES):
        try:
            return render()
        except JavascriptError as exc:
            if attempt + 1 == RENDER_TRIES or "is not defined" not in str(exc):
                raise
    raise AssertionError("unreachable")
