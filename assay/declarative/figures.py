"""The figures of ``assay visualize`` and ``assay experiment``, written to files.

Each kind draws with the figures assay already has (a Predictor's learning curve, a
Prediction's confusion matrix and ROC curves) or, for ``compare_performance``, a bar per
model and split. Images are rendered by kaleido with the Chrome or Chromium it finds; where
there is none, a figure is written as HTML instead (and the message says so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assay.errors import InvalidArgument

KINDS = ("learning_curves", "confusion_matrix", "roc", "compare_performance")
FORMATS = ("png", "svg", "pdf", "jpg", "webp", "html")


def figures_of(
    kind: str, predictors: list[Any], metric: str | None = None
) -> list[tuple[str, Any]]:
    """``(file stem, figure)`` pairs of one kind for some Predictors.

    Args:
        kind: One of ``KINDS``.
        predictors: The models to draw; ``compare_performance`` draws them together.
        metric: For ``compare_performance``: the metric (None: accuracy or r2).

    Raises:
        InvalidArgument: An unknown kind, or a classification figure of a regression model.
    """
    if kind not in KINDS:
        raise InvalidArgument(f"kind must be one of {list(KINDS)}; got {kind!r}.")
    if kind == "compare_performance":
        return [("compare_performance", compare_performance(predictors, metric))]
    drawn = []
    for predictor in predictors:
        stem = f"{kind}_{predictor.id}" if len(predictors) > 1 else kind
        if kind == "learning_curves":
            drawn.append((stem, predictor.plot_learning_curve(call_display=False)))
            continue
        if predictor.job.queue.algorithm.analysis_type == "regression":
            raise InvalidArgument(
                f"kind {kind!r} is for classification; Predictor {predictor.id} is a regression."
            )
        prediction = predictor.predictions[0]
        if kind == "confusion_matrix":
            drawn.append((stem, prediction.plot_confusion_matrix(call_display=False)))
        else:
            drawn.append((stem, prediction.plot_roc_curve(call_display=False)))
    return drawn


def compare_performance(predictors: list[Any], metric: str | None = None) -> Any:
    """A bar per model for each split: the metric each scored at training time."""
    import plotly.graph_objects as go

    from assay.evaluate.metrics import default_score_metric

    if not predictors:
        raise InvalidArgument("compare_performance needs at least one model.")
    analysis = predictors[0].job.queue.algorithm.analysis_type
    metric = metric or default_score_metric(analysis)
    figure = go.Figure()
    for predictor in predictors:
        metrics = predictor.predictions[0].metrics
        splits = [split for split in metrics if metric in metrics[split]]
        if not splits:
            known = sorted({name for values in metrics.values() for name in values})
            raise InvalidArgument(f"metric must be one of {known}; got {metric!r}.")
        figure.add_bar(
            name=f"Predictor {predictor.id}",
            x=splits,
            y=[metrics[split][metric] for split in splits],
        )
    figure.update_layout(
        title=f"{metric} by split", barmode="group", yaxis_title=metric, template="plotly_white"
    )
    return figure


def write_figures(figures: list[tuple[str, Any]], folder: Path, format: str) -> list[Path]:
    """Write each figure as ``<folder>/<stem>.<format>``; HTML where no browser can render.

    Args:
        figures: ``(stem, figure)`` pairs.
        folder: Where to write (made if missing).
        format: One of ``FORMATS``.

    Returns:
        The paths written, in order.

    Raises:
        InvalidArgument: An unknown format.
    """
    from assay.evaluate.plots import chromium_path

    if format not in FORMATS:
        raise InvalidArgument(f"format must be one of {list(FORMATS)}; got {format!r}.")
    folder.mkdir(parents=True, exist_ok=True)
    if format != "html" and chromium_path() is None:
        format = "html"  # kaleido renders with a browser; without one, HTML needs none
    paths = [folder / f"{stem}.{format}" for stem, _ in figures]
    if format == "html":
        for (_, figure), path in zip(figures, paths, strict=True):
            figure.write_html(path, include_plotlyjs="directory")
    elif figures:
        import plotly.io as pio

        pio.write_images([figure for _, figure in figures], paths, format=format)
    return paths
