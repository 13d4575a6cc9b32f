"""Figures for a page of rows in one query each: runs per status, epochs, version numbers.

A list route shows, for each row of its page, figures that live in other tables; these
read them for the whole page at once, never row by row.
"""

from __future__ import annotations

from sqlalchemy import func, select

from assay.orm.predictor import EpochMetrics
from assay.orm.run import STATUSES, Run
from assay.registry.tables import ModelVersion
from assay.store import reading


def status_counts(queue_ids: list[int]) -> dict[int, dict[str, int]]:
    """How many runs of each queue are in each status, every status listed."""
    counts = {queue_id: dict.fromkeys(STATUSES, 0) for queue_id in queue_ids}
    if not queue_ids:
        return counts
    statement = (
        select(Run.queue_id, Run.status, func.count())
        .where(Run.queue_id.in_(queue_ids))
        .group_by(Run.queue_id, Run.status)
    )
    with reading() as db:
        for queue_id, status, count in db.execute(statement):
            counts[queue_id][status] = count
    return counts


def epoch_counts(run_ids: list[int]) -> dict[int, int]:
    """How many epochs each run has written so far."""
    if not run_ids:
        return {}
    statement = (
        select(EpochMetrics.run_id, func.count())
        .where(EpochMetrics.run_id.in_(run_ids))
        .group_by(EpochMetrics.run_id)
    )
    with reading() as db:
        found = dict(db.execute(statement).all())
    return {run_id: found.get(run_id, 0) for run_id in run_ids}


def version_numbers(model_ids: list[int]) -> dict[int, list[int]]:
    """The numbers of each model's live versions, in order."""
    numbers: dict[int, list[int]] = {model_id: [] for model_id in model_ids}
    if not model_ids:
        return numbers
    statement = (
        select(ModelVersion.model_id, ModelVersion.version)
        .where(ModelVersion.model_id.in_(model_ids))
        .order_by(ModelVersion.version)
    )
    with reading() as db:
        for model_id, number in db.execute(statement):
            numbers[model_id].append(number)
    return numbers
