"""The tables notebooks show for Dataset, Splitset, Queue, Predictor and Prediction rows.

Their ``_repr_html_`` calls one function here. Each table is small (a few fields and at most one grid, long lists cut short) and every value
is escaped with ``html.escape``, so that a column or a name holding markup shows as text.
``render`` is the pure part: a title, fields and an optional grid in, HTML out; the other
functions read one row's public attributes (and, for a Queue, one query of the metrics only)
and call it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from assay.evaluate.metrics import default_score_metric
from assay.store import reading

#: The most items of a list shown in a cell; the rest are counted.
LIST_LIMIT = 12
#: Significant digits of a float in a cell.
DIGITS = 4
#: The metrics shown per split, where a Prediction has them; ``metrics`` holds them all.
MAIN_METRICS = ("accuracy", "f1_macro", "roc_auc", "r2", "rmse", "mae", "loss")
#: One rule for every cell of these tables, written once per table.
STYLE = (
    "<style>.assay-row table{border-collapse:collapse;margin:0 0 .5em 0}"
    ".assay-row th,.assay-row td{text-align:left;padding:1px 8px;vertical-align:top}"
    ".assay-row caption{text-align:left;font-weight:bold}</style>"
)


@dataclass(frozen=True)
class Grid:
    """A small table inside the main one: a header row, then one row per key."""

    columns: Sequence[str]
    rows: Sequence[tuple[str, Sequence[Any]]] = field(default_factory=list)


def render(title: str, fields: Sequence[tuple[str, Any]], grid: Grid | None = None) -> str:
    """An HTML table of ``fields`` (name, value) under ``title``, then ``grid`` if any.

    Every title, name and value is escaped; floats keep ``DIGITS`` significant digits, and
    lists show their first ``LIST_LIMIT`` items.

    Args:
        title: The table's caption, e.g. ``"Queue 3 'search'"`` (see ``titled``).
        fields: ``(name, value)`` pairs, one row each, in the order given.
        grid: A second table (e.g. metrics per split) below the fields; None, or a Grid
            without rows, shows none.
    """
    lines = [f'<div class="assay-row">{STYLE}<table>', f"<caption>{escape(title)}</caption>"]
    for name, value in fields:
        lines.append(f"<tr><th>{escape(name)}</th>{cell(value)}</tr>")
    lines.append("</table>")
    if grid is not None and grid.rows:
        header = "".join(f"<th>{escape(column)}</th>" for column in grid.columns)
        lines.append(f"<table><tr><th></th>{header}</tr>")
        for key, values in grid.rows:
            cells = "".join(cell(value) for value in values)
            lines.append(f"<tr><th>{escape(key)}</th>{cells}</tr>")
        lines.append("</table>")
    lines.append("</div>")
    return "\n".join(lines)


def cell(value: Any) -> str:
    """One ``<td>`` holding a value as text."""
    return f"<td>{escape(text(value))}</td>"


def text(value: Any) -> str:
    """A value as a short string: floats rounded, lists cut short, None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{DIGITS}g}"
    if isinstance(value, dict):
        return text([f"{key}={text(item)}" for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        shown = ", ".join(text(item) for item in value[:LIST_LIMIT])
        more = len(value) - LIST_LIMIT
        return f"{shown}, … ({more} more)" if more > 0 else shown
    if hasattr(value, "item") and callable(value.item):  # a numpy scalar
        return text(value.item())
    return str(value)


def escape(value: Any) -> str:
    """Text safe to put inside HTML."""
    return html.escape(str(value), quote=True)


def titled(kind: str, row: Any) -> str:
    """``'Dataset 3 'iris' v2'``: the kind, the id, and the name and version if any."""
    title = f"{kind} {row.id}"
    if row.name:
        title += f" {row.name!r}"
    version = getattr(row, "version", None)
    return f"{title} v{version}" if version is not None else title


def described(row: Any) -> list[tuple[str, Any]]:
    """The row's description as a field, if it has one."""
    return [("description", row.description)] if row.description else []


# -- one function per kind of row ----------------------------------------------------------


def dataset_html(dataset: Any) -> str:
    """Dataset: id, name, version, kind, shape, columns."""
    shape = " \u00d7 ".join(f"{count} {axis}" for axis, count in dataset.shape.items())
    return render(
        titled("Dataset", dataset),
        [
            ("kind", dataset.typ),
            ("shape", shape),
            ("columns", list(dataset.columns)),
            ("ingested", dataset.is_ingested),
            ("memory MB", float(dataset.memory_MB)),
            *described(dataset),
        ],
    )


def splitset_html(splitset: Any) -> str:
    """Splitset: samples per split, folds, Label and Features; inference names its Predictor."""
    label = splitset.label
    fields: list[tuple[str, Any]] = [
        ("supervision", splitset.supervision),
        ("label", "none" if label is None else f"Label {label.id}: {', '.join(label.columns)}"),
        ("features", [f"Feature {feature_id}" for feature_id in splitset.feature_ids]),
        ("folds", splitset.fold_count or "none"),
    ]
    if splitset.predictor_id is not None:
        fields.append(("inference of", f"Predictor {splitset.predictor_id}"))
    fields.extend(described(splitset))
    sizes = Grid(
        ["samples", "percent"],
        [
            (split, [size["count"], f"{100 * size['percent']:.1f}%"])
            for split, size in splitset.sizes.items()
        ],
    )
    return render(titled("Splitset", splitset), fields, sizes)


def queue_html(queue: Any) -> str:
    """Queue: Algorithm and library, runs done of total, failures, best score.

    The best score is the Algorithm's default score metric (accuracy, or r2 for regression)
    on the Splitset's evaluation split (the folds' validation, else validation, else test,
    else train), over the Predictors trained so far.
    """
    algorithm = queue.algorithm
    counts = queue.status_counts()
    metric = default_score_metric(algorithm.analysis_type)
    split = evaluation_split(queue.splitset)
    best = best_score(queue, metric, split)
    return render(
        titled("Queue", queue),
        [
            ("algorithm", f"Algorithm {algorithm.id}: {algorithm.library}"),
            ("analysis", algorithm.analysis_type),
            ("splitset", f"Splitset {queue.splitset_id}"),
            ("runs done", f"{counts['succeeded']} of {queue.total_runs}"),
            ("failures", counts["failed"]),
            ("running", counts["running"]),
            (
                f"best {metric} ({split})",
                "—" if best is None else f"{text(best[0])} (Predictor {best[1]})",
            ),
            *described(queue),
        ],
    )


def predictor_html(predictor: Any) -> str:
    """Predictor: its Job, hyperparameters, and the main metrics per split of its training."""
    job = predictor.job
    queue = job.queue
    metrics = training_metrics(predictor, queue.splitset_id)
    hyperparameters = job.hyperparameters()  # shown exactly: 1.0 is not 1
    return render(
        titled("Predictor", predictor),
        [
            ("job", f"Job {job.id} of Queue {queue.id}"),
            ("fold", "none" if job.fold_id is None else f"Fold {job.fold_id}"),
            ("repeat", predictor.repeat_index),
            ("library", predictor.library),
            ("hyperparameters", [f"{k}={v!r}" for k, v in hyperparameters.items()] or "none"),
            ("seconds to train", predictor.time_duration),
        ],
        metrics_grid(metrics),
    )


def prediction_html(prediction: Any) -> str:
    """Prediction: its main metrics per split (all of them are in ``prediction.metrics``)."""
    metrics = list((prediction.metrics or {}).items())
    fields: list[tuple[str, Any]] = [
        ("predictor", f"Predictor {prediction.predictor_id}"),
        ("splitset", f"Splitset {prediction.splitset_id}"),
        ("splits", list((prediction.predictions or {}).keys())),
    ]
    if prediction.permute_count:
        fields.append(("importance", f"{prediction.permute_count} shuffles per column"))
    if not metrics:
        fields.append(("metrics", "none (no target to score against)"))
    return render(titled("Prediction", prediction), fields, metrics_grid(metrics))


def metrics_grid(metrics: list[tuple[str, dict[str, Any]]]) -> Grid:
    """One row per split, one column per main metric present (else every metric)."""
    present: list[str] = []
    for _, values in metrics:
        present.extend(name for name in values if name not in present)
    names = [name for name in MAIN_METRICS if name in present] or present
    return Grid(names, [(split, [values.get(name) for name in names]) for split, values in metrics])


# -- what the tables read ------------------------------------------------------------------


def evaluation_split(splitset: Any) -> str:
    """The split a model is judged on: the evaluation split, else test, else train."""
    return splitset.key_evaluation or splitset.key_test or splitset.key_train or "train"


def best_score(queue: Any, metric: str, split: str) -> tuple[float, int] | None:
    """The highest ``metric`` on ``split`` of the Queue's Predictors, and which one.

    Reads only the metrics of the Predictions made in training (not their predictions).

    Args:
        queue: The Queue whose Predictors are compared.
        metric: A metric name from ``Prediction.metrics``, e.g. ``'accuracy'``; higher is
            taken as better.
        split: The split it is read on, e.g. ``'fold_validation'`` (see
            ``evaluation_split``).

    Returns:
        ``(score, predictor_id)``, the lower id on ties; None when no Predictor has the
        metric on that split.
    """
    from assay.orm import Job, Prediction, Predictor

    statement = (
        select(Prediction.predictor_id, Prediction.metrics)
        .join(Predictor, Predictor.id == Prediction.predictor_id)
        .join(Job, Job.id == Predictor.job_id)
        .where(Job.queue_id == queue.id, Prediction.splitset_id == queue.splitset_id)
    )
    with reading() as db:
        rows = db.execute(statement).all()
    scores = [
        (float(metrics[split][metric]), predictor_id)
        for predictor_id, metrics in rows
        if metrics and metrics.get(split, {}).get(metric) is not None
    ]
    return max(scores, key=lambda score: (score[0], -score[1]), default=None)


def training_metrics(predictor: Any, splitset_id: int) -> list[tuple[str, dict[str, Any]]]:
    """The metrics per split of the Predictor's Prediction of its training samples."""
    for prediction in predictor.predictions:
        if prediction.splitset_id == splitset_id:
            return list((prediction.metrics or {}).items())
    return []
