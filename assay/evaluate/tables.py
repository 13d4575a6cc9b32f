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
    """

    predictor_id: int
    job_id: int
    hyperparamcombo_id: int | None
    fold_id: int | None
    repeat_index: int
    metrics: dict[str, dict[str, float]]
    hyperparameters: dict[str, Any] = field(default_factory=dict)


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


def sort_frame(
    frame: pd.DataFrame, sort_by: str | Sequence[str] | None, ascending: bool, caller: str
) -> pd.DataFrame:
    """Sort a table by some of its columns, with a clear error for unknown ones.

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
