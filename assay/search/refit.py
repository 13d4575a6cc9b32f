"""Refitting: after cross-validation, train the best combination once more on all samples.

Like ``GridSearchCV(refit=True)``: each fold's model saw part of the training samples, so
the combination that scored best over the folds is trained again on the Splitset's whole
``train`` split. The refit is one more Job (without a fold) and Run in the same Queue, so it
is resumable and recorded like every other run.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from sqlalchemy import update

from assay.errors import InvalidArgument
from assay.store import transaction

if TYPE_CHECKING:
    from assay.orm.predictor import Predictor
    from assay.orm.queue import Queue
    from assay.orm.run import Job, Run


#: Run statuses a refit does not wait for: succeeded, and abandoned (a failed search trial's).
ENDED = ("succeeded", "abandoned")


class _RefitTaken(Exception):
    """Another process added the refit Job first (rolls back this one's attempt)."""


def refit_when_done(queue: Queue, runs: list[Run], progress: bool) -> None:
    """``refit_best`` once every fold run has succeeded; say why not otherwise.

    Like a failed run, a refit that cannot be done is reported, not raised, so that
    ``run_jobs`` ends the same way whatever happened to one run.

    Args:
        queue: A Queue made with ``refit=True``.
        runs: Its runs, as ``run_jobs`` left them.
        progress: Show a progress bar while the refit trains.
    """
    if any(run.status not in ENDED for run in runs):
        print(
            f"Queue {queue.id}: the refit waits until every fold run has succeeded; "
            "run_jobs() again trains it then.",
            file=sys.stderr,
        )
        return
    try:
        refit_best(queue, progress=progress)
    except InvalidArgument as exc:
        print(f"Queue {queue.id}: no refit: {exc}", file=sys.stderr)


def refit_best(
    queue: Queue,
    metric: str | None = None,
    split: str | None = None,
    goal: str | None = None,
    progress: bool = True,
) -> Predictor:
    """Train the best combination of ``queue`` on all its training samples (see ``Queue.refit_best``).

    Args:
        queue: A Queue whose Splitset has folds.
        metric: The metric to choose the combination by; None: the search's, else the
            analysis type's default.
        split: The split to judge on (see ``Queue.best_predictor``).
        goal: "maximize" or "minimize" (see ``Queue.best_predictor``).
        progress: Show a progress bar.
    """
    from assay.evaluate.tables import best_model
    from assay.orm.predictor import Predictor
    from assay.orm.run import Run

    if not queue.splitset.fold_count:
        raise InvalidArgument(
            f"Queue {queue.id} has no folds: its models train on all the training samples "
            "already, so there is nothing to refit; best_predictor() is the best model."
        )
    runs = queue.runs
    refits = queue.refit_jobs()
    refit_ids = {job.id for job in refits}
    undone = [r for r in runs if r.status not in ENDED and r.job_id not in refit_ids]
    if undone:
        raise InvalidArgument(
            f"Queue {queue.id} has {len(undone)} fold run(s) not succeeded; refit_best "
            "chooses among the models of every fold: run_jobs() first."
        )
    models = [model for model in queue.candidate_models() if not model.refit]
    metric, split, goal = queue.ranking(metric, split, goal)
    combo_id = best_model(models, metric=metric, split=split, goal=goal).model.hyperparamcombo_id
    job = next((j for j in refits if j.hyperparamcombo_id == combo_id), None)
    if job is None:
        job = add_refit_job(queue, combo_id, runs_before=len(runs))
    if job.predictors:
        return job.predictors[0]
    from assay.orm.queue import Queue
    from assay.search.executors.serial import run_serial

    run_serial(queue, progress=progress)  # the refit run (a search's loop trains only trials)
    queue.runs_completed = Queue.get_by_id(queue.id).runs_completed
    predictors = Predictor.select_where(Predictor.job_id == job.id)
    if not predictors:
        run = Run.select_where(Run.job_id == job.id)[0]
        why = (
            f"it runs in another process (pid {run.pid} on {run.host})"
            if run.is_live()
            else f"{run.status}: {run.message}"
        )
        raise InvalidArgument(
            f"the refit run {run.id} of Queue {queue.id} has not succeeded ({why}); "
            "run_jobs() again retries it."
        )
    return predictors[0]


def add_refit_job(queue: Queue, hyperparamcombo_id: int | None, runs_before: int) -> Job:
    """Add the Job and Run that refit a combination, and count the run in total_runs.

    Of several processes that finish the folds together, only the first adds it: the count
    goes up only where ``total_runs`` is still ``runs_before``; the others get the Job the
    first one added.

    Args:
        queue: The Queue to add the refit to.
        hyperparamcombo_id: The combination to refit (None: the Algorithm without any).
        runs_before: ``total_runs`` as the caller read it, before any refit.
    """
    from assay.orm.queue import Queue
    from assay.orm.run import Job, Run

    try:
        with transaction() as db:
            counted = db.execute(
                update(Queue)
                .where(Queue.id == queue.id, Queue.total_runs == runs_before)
                .values(total_runs=Queue.total_runs + 1)
            )
            if counted.rowcount != 1:
                raise _RefitTaken
            job = Job(
                queue_id=queue.id,
                hyperparamcombo_id=hyperparamcombo_id,
                fold_id=None,
                repeat_count=1,
            )
            db.add(job)
            db.flush()
            db.add(Run(queue_id=queue.id, job_id=job.id, repeat_index=0))
    except _RefitTaken:
        taken = [j for j in queue.refit_jobs() if j.hyperparamcombo_id == hyperparamcombo_id]
        if not taken:
            raise InvalidArgument(
                f"Queue {queue.id} changed while choosing what to refit; call refit_best() again."
            ) from None
        job = taken[0]
    queue.total_runs = Queue.get_by_id(queue.id).total_runs
    return job
