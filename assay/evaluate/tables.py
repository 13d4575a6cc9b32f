"""The metrics tables of a Queue, from plain values: per model, summarized, the best one.

Each trained model comes in as a :class:`ModelScores` (its ids, its hyperparameters and its
metrics per split); nothing here opens a session, so the tables are tested, and reused by the
dashboard and the CLI, without a metastore.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    import pandas as pd

#: The columns of ``metrics_df`` that identify a row; the metrics follow them.
METRICS_ID_COLUMNS = (
    "predictor_id",
    "job_id",
    "hyperparamcombo_id",
    "fold_id",
    "repeat_index",
    "split",
)
#: The columns of ``metricsAggregate_df`` that identify a row; the statistics follow them.
AGGREGATE_ID_COLUMNS = ("hyperparamcombo_id", "split", "metric")
#: What ``metricsAggregate_df`` computes over the models of a combination, in this order.
STATISTICS = ("count", "mean", "median", "std", "min", "max")
#: The split a model is judged on by default: the first of these that was scored.
EVALUATION_ORDER = ("validation", "fold_validation", "test", "train", "folds_train_combined")
GOALS = ("maximize", "minimize")
#: Metrics where lower is better (besides any whose name holds "loss" or "error").
LOWER_IS_BETTER = frozenset({"mse", "rmse", "mae"})


@dataclass(frozen=True)
class ModelScores:
    """One trained model, as the tables see it.

    Attributes:
        predictor_id: The Predictor.
        job_id: The Job that trained it.
        hyperparamcombo_id: Its hyperparameter combination (None without hyperparameters).
        fold_id: The Fold it was trained on (None without folds).
        repeat_index: Which repeat of the Job.
        metrics: ``{split: {metric: value}}``, as the Prediction stores them.
        hyperparameters: ``{name: value}`` of its combination.
        refit: Whether it is the refit of its combination on all the training samples after
            cross-validation (no fold, in a Queue whose other models have one).
    """

    predictor_id: int
    job_id: int
    hyperparamcombo_id: int | None
    fold_id: int | None
    repeat_index: int
    metrics: dict[str, dict[str, float]]
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    refit: bool = False


# -- names and checks ---------------------------------------------------------------------


def split_names(models: Iterable[ModelScores]) -> list[str]:
    """The splits scored for any of ``models``, in the order they first appear."""
    return list(dict.fromkeys(split for model in models for split in model.metrics))


def metric_names(models: Iterable[ModelScores]) -> list[str]:
    """The metrics scored on any split of any of ``models``, in the order they first appear."""
    return list(
        dict.fromkeys(
            name for model in models for values in model.metrics.values() for name in values
        )
    )


def hyperparameter_names(models: Iterable[ModelScores]) -> list[str]:
    """The hyperparameter names of ``models``, in the order they first appear."""
    return list(dict.fromkeys(name for model in models for name in model.hyperparameters))


def check_names(
    value: str | Sequence[str] | None, known: Sequence[str], argument: str, what: str
) -> list[str] | None:
    """``value`` as a list of names, each one of ``known``; None stays None (all of them).

    Args:
        value: One name, a list of names, or None.
        known: The names there are.
        argument: The argument's name, for the message.
        what: What the names are ("splits", "metrics"), for the message.

    Raises:
        InvalidArgument: For an empty list, a name that is not a string, or an unknown name.
    """
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not names:
        raise InvalidArgument(
            f"{argument} must be a name or a non-empty list of names; got {value!r}."
        )
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidArgument(
            f"{argument}: no {what} named {unknown}; the {what} there are: {list(known)}."
        )
    return list(dict.fromkeys(names))


def metric_goal(metric: str, goal: str | None = None) -> str:
    """Whether a higher or a lower ``metric`` is better: ``goal`` checked, or inferred.

    Losses and errors (a name holding "loss" or "error", and mse, rmse, mae) are minimized;
    every other metric (accuracy, r2, roc_auc, f1...) is maximized.

    Raises:
        InvalidArgument: For a goal other than "maximize" or "minimize".
    """
    if goal is not None:
        if goal not in GOALS:
            raise InvalidArgument(f"goal must be one of {list(GOALS)} or None; got {goal!r}.")
        return goal
    lowered = metric.lower()
    if lowered in LOWER_IS_BETTER or "loss" in lowered or "error" in lowered:
        return "minimize"
    return "maximize"


def evaluation_split(splits: Sequence[str]) -> str:
    """The split models are judged on by default (the first of :data:`EVALUATION_ORDER`).

    Validation when there is one, else the folds' validation, else test, else train.

    Raises:
        InvalidArgument: When ``splits`` is empty.
    """
    for name in EVALUATION_ORDER:
        if name in splits:
            return name
    if not splits:
        raise InvalidArgument("no split was scored, so there is none to judge models on.")
    return splits[0]


# -- tables -------------------------------------------------------------------------------


def hyperparameter_columns(names: Sequence[str], taken: Iterable[str]) -> dict[str, str]:
    """The column of each hyperparameter: its name, or ``hp_<name>`` where that is taken."""
    taken = set(taken)
    return {name: f"hp_{name}" if name in taken else name for name in names}


def metrics_frame(
    models: Sequence[ModelScores],
    split: str | Sequence[str] | None = None,
    selected_metrics: Sequence[str] | None = None,
    hyperparameters: bool = False,
) -> pd.DataFrame:
    """One row per split of every model, with its metrics (``Queue.metrics_df``).

    Args:
        models: The trained models.
        split: Keep only this split, or these splits; None keeps every split.
        selected_metrics: The metric columns to keep, in this order; None keeps all.
        hyperparameters: Add a column per hyperparameter name (after the id columns) holding
            each model's value; a name that is already a column becomes ``hp_<name>``.

    Returns:
        The columns of :data:`METRICS_ID_COLUMNS`, the hyperparameters if asked, then the
        metrics; empty (no columns, nothing checked) when there are no models.

    Raises:
        InvalidArgument: For an unknown split or metric (the message lists the known ones).
    """
    import pandas as pd

    if not models:
        return pd.DataFrame()
    splits = check_names(split, split_names(models), "split", "splits")
    known_metrics = metric_names(models)
    metrics = check_names(selected_metrics, known_metrics, "selected_metrics", "metrics")
    metrics = known_metrics if metrics is None else metrics
    names = hyperparameter_names(models) if hyperparameters else []
    columns = hyperparameter_columns(names, [*METRICS_ID_COLUMNS, *metrics])
    rows = []
    for model in models:
        for split_name, values in model.metrics.items():
            if splits is not None and split_name not in splits:
                continue
            row: dict[str, Any] = {
                "predictor_id": model.predictor_id,
                "job_id": model.job_id,
                "hyperparamcombo_id": model.hyperparamcombo_id,
                "fold_id": model.fold_id,
                "repeat_index": model.repeat_index,
                "split": split_name,
            }
            for name, column in columns.items():
                row[column] = model.hyperparameters.get(name)
            for name in metrics:
                row[name] = values.get(name, np.nan)
            rows.append(row)
    return pd.DataFrame(rows, columns=[*METRICS_ID_COLUMNS, *columns.values(), *metrics])


def statistics(values: Sequence[float]) -> dict[str, float]:
    """count, mean, median, std (ddof 0, as ``GridSearchCV``'s ``std_test_score``), min, max.

    NaNs (undefined values) are left out; ``count`` says how many values were defined.
    """
    array = np.asarray(values, dtype=np.float64)
    array = array[~np.isnan(array)]
    if array.size == 0:
        return {"count": 0} | dict.fromkeys(STATISTICS[1:], float("nan"))
    return {
        "count": int(array.size),
        "mean": float(array.mean()),
        "median": float(np.median(array)),
        "std": float(array.std()),
        "min": float(array.min()),
        "max": float(array.max()),
    }


def group_by_combination(
    models: Iterable[ModelScores],
) -> dict[int | None, list[ModelScores]]:
    """The models of each hyperparameter combination (its folds and repeats), in order.

    Refit models are left out: they are not one of the folds a combination is judged by.
    """
    groups: dict[int | None, list[ModelScores]] = {}
    for model in models:
        if not model.refit:
            groups.setdefault(model.hyperparamcombo_id, []).append(model)
    return groups


def aggregate_frame(
    models: Sequence[ModelScores],
    split: str | Sequence[str] | None = None,
    selected_metrics: Sequence[str] | None = None,
    selected_stats: Sequence[str] | None = None,
    hyperparameters: bool = False,
) -> pd.DataFrame:
    """Each metric summarized over the models of each combination, split by split.

    The models of one hyperparameter combination are its folds and repeats, so with
    cross-validation a row is the cross-validated score of a combination on a split: e.g.
    the mean and standard deviation of accuracy over the folds' ``fold_validation`` samples.
    Without folds or repeats each combination has one model, and count is 1 and std 0.
    A refit model (trained on all the training samples after cross-validation) is not one
    of the folds and is left out; ``metrics_frame`` shows it.

    Args:
        models: The trained models.
        split: Keep only this split, or these splits; None keeps every split.
        selected_metrics: The metrics to summarize; None summarizes all.
        selected_stats: Which of :data:`STATISTICS` to show, in this order; None shows all.
        hyperparameters: Add a column per hyperparameter name after ``hyperparamcombo_id``.

    Returns:
        One row per combination, split and metric: :data:`AGGREGATE_ID_COLUMNS` (with the
        hyperparameters after the first if asked), then the statistics; empty (no columns,
        nothing checked) when there are no models.

    Raises:
        InvalidArgument: For an unknown split, metric or statistic.
    """
    import pandas as pd

    if not models:
        return pd.DataFrame()
    splits = check_names(split, split_names(models), "split", "splits")
    known_metrics = metric_names(models)
    metrics = check_names(selected_metrics, known_metrics, "selected_metrics", "metrics")
    metrics = known_metrics if metrics is None else metrics
    stats = check_names(selected_stats, STATISTICS, "selected_stats", "statistics")
    stats = list(STATISTICS) if stats is None else stats
    names = hyperparameter_names(models) if hyperparameters else []
    columns = hyperparameter_columns(names, [*AGGREGATE_ID_COLUMNS, *stats])
    rows = []
    for combo_id, group in group_by_combination(models).items():
        for split_name in split_names(group):
            if splits is not None and split_name not in splits:
                continue
            scored = [model.metrics[split_name] for model in group if split_name in model.metrics]
            for metric in metrics:
                summary = statistics([values.get(metric, np.nan) for values in scored])
                row: dict[str, Any] = {"hyperparamcombo_id": combo_id}
                for name, column in columns.items():
                    row[column] = group[0].hyperparameters.get(name)
                row |= {"split": split_name, "metric": metric}
                row |= {stat: summary[stat] for stat in stats}
                rows.append(row)
    return pd.DataFrame(
        rows,
        columns=["hyperparamcombo_id", *columns.values(), "split", "metric", *stats],
    )


def sort_frame(
    frame: pd.DataFrame, sort_by: str | Sequence[str] | None, ascending: bool, caller: str
) -> pd.DataFrame:
    """Sort a table by some of its columns, with a clear error for unknown ones.

    Args:
        frame: The table; an empty one comes back as it is.
        sort_by: A column, or columns in priority order; None leaves the order.
        ascending: True sorts every column low to high, False high to low.
        caller: The public method that made the table, e.g. ``'metrics_df'``, for the error.

    Raises:
        InvalidArgument: When a column of ``sort_by`` is not in the table.
    """
    if sort_by is None or frame.empty:
        return frame
    columns = [sort_by] if isinstance(sort_by, str) else list(sort_by)
    unknown = [column for column in columns if column not in frame.columns]
    if unknown:
        raise InvalidArgument(
            f"sort_by: {caller} has no column(s) {unknown}; choose from {list(frame.columns)}."
        )
    return frame.sort_values(columns, ascending=ascending, ignore_index=True)


# -- the best model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Best:
    """The model chosen by :func:`best_model`, and why.

    Attributes:
        model: The chosen model.
        metric: The metric it was judged by.
        split: The split it was judged on.
        goal: "maximize" or "minimize".
        score: The chosen combination's mean score over its models (folds and repeats).
        models: How many models that mean is over.
    """

    model: ModelScores
    metric: str
    split: str
    goal: str
    score: float
    models: int


def best_model(
    models: Sequence[ModelScores],
    metric: str,
    split: str | None = None,
    goal: str | None = None,
) -> Best:
    """The model of the hyperparameter combination with the best mean score.

    The models of a combination (its folds and repeats) are averaged on ``split``, as
    ``GridSearchCV`` ranks candidates by their mean test score over folds; of the best
    combination, its refit model is returned when there is one, else its best model on
    ``split``. Undefined (NaN) scores are left out of a mean; ties go to the combination,
    then the model, trained first.

    Args:
        models: The trained models.
        metric: The metric to judge by.
        split: The split to judge on; None means :func:`evaluation_split` of the splits
            scored.
        goal: "maximize" or "minimize"; None infers it from the metric (see
            :func:`metric_goal`).

    Raises:
        InvalidArgument: Without models; for an unknown metric, split or goal; when the metric
            is undefined on the split for every model.
    """
    refits = {model.hyperparamcombo_id: model for model in models if model.refit}
    models = [model for model in models if not model.refit]
    if not models:
        raise InvalidArgument("there are no trained models to choose from; run_jobs() first.")
    goal = metric_goal(metric, goal)
    splits = split_names(models)
    if split is None:
        split = evaluation_split(splits)
    elif not isinstance(split, str):
        raise InvalidArgument(f"split must be the name of one split; got {split!r}.")
    check_names(split, splits, "split", "splits")
    check_names(metric, metric_names(models), "metric", "metrics")
    sign = 1.0 if goal == "maximize" else -1.0
    chosen: tuple[float, list[ModelScores], list[float]] | None = None
    for group in group_by_combination(models).values():
        scored = [model for model in group if split in model.metrics]
        values = [model.metrics[split].get(metric, np.nan) for model in scored]
        mean = statistics(values)["mean"]
        if np.isnan(mean):
            continue
        if chosen is None or sign * mean > sign * chosen[0]:
            chosen = (mean, scored, values)
    if chosen is None:
        raise InvalidArgument(
            f"metric {metric!r} is undefined (NaN) on split {split!r} for every model; "
            "choose another metric or split."
        )
    mean, scored, values = chosen
    keys = [sign * value if not np.isnan(value) else -np.inf for value in values]
    model = refits.get(scored[0].hyperparamcombo_id, scored[int(np.argmax(keys))])
    count = int(np.sum(~np.isnan(np.asarray(values, dtype=np.float64))))
    return Best(model=model, metric=metric, split=split, goal=goal, score=mean, models=count)
