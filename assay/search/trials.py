"""A search's rows: checking and recording a Search, adding its trials, scoring them.

The search loop (``assay.search.loop``) calls these; each write is one transaction, so a
process killed at any moment leaves either a whole trial (its Hyperparamcombo, its Jobs, one
per fold, and their runs) or none of it, and a trial's score is written once.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from assay import config
from assay.errors import InvalidArgument
from assay.evaluate.metrics import metric_names
from assay.evaluate.tables import split_names, statistics
from assay.store import reading, transaction
from assay.store.scores import model_scores

if TYPE_CHECKING:
    from assay.evaluate.tables import ModelScores
    from assay.orm.algorithm import Algorithm
    from assay.orm.queue import Queue
    from assay.orm.search import QueueSearch, Trial
    from assay.orm.splitset import Fold, Splitset
    from assay.search.spec import Search


def resolve_split(split: str, splitset: Splitset) -> str:
    """The split name a search's ``split`` reads on this Splitset.

    With folds, ``train`` and ``validation`` are each fold's own (``folds_train_combined``,
    ``fold_validation``), so that a trial's score is its cross-validated score.

    Raises:
        InvalidArgument: The Splitset has no such split.
    """
    folded = bool(splitset.fold_count)
    if split == "train":
        return "folds_train_combined" if folded else "train"
    if split == "validation":
        if folded:
            return "fold_validation"
        if splitset.has_validation:
            return "validation"
    if split == "test" and splitset.has_test:
        return "test"
    raise InvalidArgument(
        f"split: Splitset {splitset.id} has no {split} split (it was made without "
        f"size_{split} or fold_count); use a split it has, or make one with it."
    )


def check_search(search: Search, algorithm: Algorithm, splitset: Splitset) -> str:
    """Check a Search against the Algorithm and Splitset; the split name it scores on.

    Raises:
        InvalidArgument: Not a Search, a metric the Algorithm's analysis type does not
            compute (listing those it does), or a split the Splitset has not.
    """
    from assay.search.spec import Search

    if not isinstance(search, Search):
        raise InvalidArgument(
            f"search must be an assay.search.Search; got {type(search).__name__}."
        )
    known = ["loss", *metric_names(algorithm.analysis_type)]
    if search.metric not in known:
        raise InvalidArgument(
            f"search.metric: an Algorithm of analysis_type {algorithm.analysis_type!r} "
            f"computes {known}; got {search.metric!r}."
        )
    return resolve_split(search.split, splitset)


def search_hyperparamset(algorithm_id: int) -> int:
    """Add the Hyperparamset that will hold a search's combinations (in the open transaction)."""
    from assay.orm.algorithm import Hyperparamset

    with transaction() as db:
        row = Hyperparamset(
            algorithm_id=algorithm_id,
            hyperparameters={},
            name="search",
            description="The combinations a search tried, one per trial.",
        )
        db.add(row)
        db.flush()
        return row.id


def add_search(queue: Queue, search: Search, split_name: str) -> QueueSearch:
    """Record a Search for a Queue (in the open transaction).

    Its results file is ``ASSAY_HOME/searches/<uuid>.json`` (``QueueSearch.results_path``).
    """
    from assay.orm.algorithm import pickle_by_value
    from assay.orm.search import QueueSearch

    folder = config.assay_home() / "searches"
    with transaction() as db:
        row = QueueSearch(
            queue_id=queue.id,
            sampler=search.sampler_name,
            sampler_options=search.options,
            sampler_factory=pickle_by_value(search.factory),
            parameters=search.parameters,
            goal=search.goal,
            metric=search.metric,
            split=search.split,
            split_name=split_name,
            n_trials=search.n_trials,
            results_path=str(folder / f"{uuid.uuid4().hex}.json"),
        )
        db.add(row)
        db.flush()
        return row


def add_trials(
    queue: Queue,
    search: QueueSearch,
    points: Sequence[dict[str, Any]],
    first_number: int,
    folds: Sequence[Fold],
) -> list[Trial]:
    """Add trials ``first_number``, ... for ``points``, each with its Jobs and runs, at once.

    Each trial gets a Hyperparamcombo in the search's Hyperparamset, a Job per fold (one
    without folds) and ``repeat_count`` runs per Job; the Queue's ``total_runs`` counts them.

    Args:
        queue: The search's Queue.
        search: Its QueueSearch row.
        points: The parameters of each new trial, as sampled.
        first_number: The number of the first new trial (the count of trials so far).
        folds: The Splitset's Folds (a Job each), or none.

    Raises:
        sqlalchemy.exc.IntegrityError: Another process added a trial of that number first;
            nothing is written.
    """
    from assay.orm.algorithm import Hyperparamcombo
    from assay.orm.queue import Queue as QueueRow
    from assay.orm.run import Job, Run
    from assay.orm.search import Trial

    fold_ids = [fold.id for fold in folds] or [None]
    repeats = queue.repeat_count
    trials = []
    with transaction() as db:
        for offset, point in enumerate(points):
            number = first_number + offset
            combo = Hyperparamcombo(
                hyperparamset_id=queue.hyperparamset_id, idx=number, hyperparameters=point
            )
            db.add(combo)
            db.flush()
            trial = Trial(
                search_id=search.id, number=number, parameters=point, hyperparamcombo_id=combo.id
            )
            db.add(trial)
            for fold_id in fold_ids:
                job = Job(
                    queue_id=queue.id,
                    hyperparamcombo_id=combo.id,
                    fold_id=fold_id,
                    repeat_count=repeats,
                )
                db.add(job)
                db.flush()
                db.add_all(
                    Run(queue_id=queue.id, job_id=job.id, repeat_index=index)
                    for index in range(repeats)
                )
            trials.append(trial)
        added = len(points) * len(fold_ids) * repeats
        db.execute(
            update(QueueRow)
            .where(QueueRow.id == queue.id)
            .values(total_runs=QueueRow.total_runs + added)
        )
        db.flush()
    queue.total_runs += added
    return trials


def score_trials(queue: Queue, search: QueueSearch, trials: Sequence[Trial]) -> list[Trial]:
    """Score the running trials whose runs have all ended; those trials, updated in place.

    A trial whose runs all succeeded scores ``search.metric`` on ``search.split_name``: the
    mean over its models (folds and repeats); its metrics are every split's means. A trial
    with a failed run, or whose metric is undefined (NaN), fails with no score; its failed
    runs become ``abandoned``, so that no worker trains them again. A trial with a run still
    queued, running or stopped is left running.
    """
    from assay.orm.search import Trial

    running = {trial.hyperparamcombo_id: trial for trial in trials if trial.status == "running"}
    if not running:
        return []
    statuses = run_statuses(list(running))
    models: dict[int | None, list[ModelScores]] = {}
    for model in model_scores(queue.id, queue.splitset_id, hyperparamcombo_ids=list(running)):
        if not model.refit:
            models.setdefault(model.hyperparamcombo_id, []).append(model)
    outcomes = {}
    for combo_id in running:
        runs = statuses.get(combo_id, [])
        if not runs or any(status not in ("succeeded", "failed") for status, _ in runs):
            continue
        failed = [message for status, message in runs if status == "failed"]
        if failed:
            outcomes[combo_id] = ("failed", None, None, f"a run failed: {failed[0]}")
            continue
        metrics = mean_metrics(models.get(combo_id, []))
        score = metrics.get(search.split_name, {}).get(search.metric)
        if score is None:
            why = f"metric {search.metric!r} is undefined on split {search.split_name!r}"
            outcomes[combo_id] = ("failed", None, metrics, why)
        else:
            outcomes[combo_id] = ("complete", score, metrics, None)
    if not outcomes:
        return []
    with transaction() as db:
        for combo_id, (status, score, metrics, message) in outcomes.items():
            db.execute(
                update(Trial)
                .where(Trial.hyperparamcombo_id == combo_id, Trial.status == "running")
                .values(status=status, score=score, metrics=metrics, message=message)
            )
        abandon_failed_runs([c for c, outcome in outcomes.items() if outcome[0] == "failed"])
    for combo_id, (status, score, metrics, message) in outcomes.items():
        trial = running[combo_id]
        trial.status, trial.score, trial.metrics, trial.message = status, score, metrics, message
    return [running[combo_id] for combo_id in outcomes]


def run_statuses(combo_ids: list[int]) -> dict[int, list[tuple[str, str | None]]]:
    """The ``(status, message)`` of every run of each combination's Jobs."""
    from assay.orm.run import Job, Run

    statement = (
        select(Job.hyperparamcombo_id, Run.status, Run.message)
        .join(Job, Run.job_id == Job.id)
        .where(Job.hyperparamcombo_id.in_(combo_ids))
    )
    found: dict[int, list[tuple[str, str | None]]] = {}
    with reading() as db:
        for combo_id, status, message in db.execute(statement):
            found.setdefault(combo_id, []).append((status, message))
    return found


def abandon_failed_runs(combo_ids: list[int]) -> None:
    """Mark the failed runs of failed trials ``abandoned`` (see ``assay.orm.run.STATUSES``)."""
    from assay.orm.run import Job, Run

    if not combo_ids:
        return
    jobs = select(Job.id).where(Job.hyperparamcombo_id.in_(combo_ids))
    with transaction() as db:
        db.execute(
            update(Run)
            .where(Run.job_id.in_(jobs), Run.status == "failed")
            .values(status="abandoned")
        )


def mean_metrics(models: Sequence[ModelScores]) -> dict[str, dict[str, float | None]]:
    """Each split's metrics averaged over some models; an undefined (NaN) or infinite mean is None.

    JSON (and so the metastore and the results file) has no NaN or infinity.
    """
    means: dict[str, dict[str, float | None]] = {}
    for split in split_names(models):
        scored = [model.metrics[split] for model in models if split in model.metrics]
        names = dict.fromkeys(name for values in scored for name in values)
        means[split] = {}
        for name in names:
            mean = statistics([values.get(name, math.nan) for values in scored])["mean"]
            means[split][name] = mean if math.isfinite(mean) else None
    return means


def stored_pairs(trials: Sequence[Trial]) -> list[tuple[dict[str, Any], float | None]]:
    """The ``(parameters, score)`` of every scored trial, by number (a failed one scores None)."""
    ended = sorted((t for t in trials if t.status != "running"), key=lambda t: t.number)
    return [(dict(trial.parameters), trial.score) for trial in ended]
