"""The search loop (004's HyperoptExecutor.execute): sample a batch, train it, score it, repeat.

Each round asks the sampler for as many points as the executor trains at once (never past
``n_trials``), adds each as a trial with its Jobs and runs in one transaction, has the
executor train every run left (``executor.run_runs(queue)``), scores each trial (the search's
metric on its split, the mean over folds and repeats; a failed trial scores None) and tells
the sampler. It ends when ``n_trials`` trials are scored or the sampler is finished.

Resuming is the same loop: everything it decides is in the metastore before it acts on it.
Called again (after Ctrl-C, or after the process was killed at any moment), it first trains
and scores the trials already added, then builds the sampler afresh and tells it every stored
``(parameters, score)`` pair, so that a grid skips the points tried and TPE continues from the
trials stored. Trial numbers are unique per search, so no process ever adds more than
``n_trials`` trials, nor the same trial twice.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from assay.errors import InvalidArgument
from assay.search.trials import add_trials, score_trials

if TYPE_CHECKING:
    from assay.orm.queue import Queue
    from assay.orm.search import QueueSearch, Trial
    from assay.search.executors.base import Executor
    from assay.search.samplers import Sampler


def run_search(queue: Queue, executor: Executor, progress: bool = True) -> list[dict]:
    """Run (or resume) the search of ``queue`` to its end; every trial's result.

    The results are kept in the Trial rows as each trial is scored (``queue.trials()``),
    and written when the loop ends or pauses to the JSON file named by
    ``queue.search.results_path`` (``ASSAY_HOME/searches/<uuid>.json`` on the host that runs
    the loop).

    Args:
        queue: A Queue made with ``search=Search(...)``.
        executor: Trains the runs: ``workers`` (the batch size) and ``run_runs(queue)``.
        progress: Show a progress bar of trials (on stderr).

    Returns:
        One dict per trial, by number: ``trial``, ``parameters``, ``score`` (None for a
        failed trial), ``status`` and ``metrics`` (``{split: {metric: mean}}``).

    Raises:
        InvalidArgument: The Queue has no search, or the executor's workers is not an int >= 1.
    """
    from tqdm.auto import tqdm

    search = queue.search
    if search is None:
        raise InvalidArgument(f"Queue {queue.id} was made without a search; use run_jobs().")
    workers = executor.workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidArgument(f"executor.workers must be an int >= 1; got {workers!r}.")
    sampler = search.build_sampler()
    folds = queue.splitset.folds
    told: set[int] = set()
    trials = search.trials
    with tqdm(
        total=search.n_trials or _length(sampler),
        desc=f"Search of Queue {queue.id}",
        unit="trial",
        disable=not progress,
        file=sys.stderr,
    ) as bar:
        while True:
            trials = finish_trials(queue, search, executor, trials)
            tell(sampler, trials, told)
            ended = [trial for trial in trials if trial.status != "running"]
            bar.update(len(ended) - bar.n)
            best = best_score(trials, search.goal)
            if best is not None:
                bar.set_postfix_str(f"best {search.metric} {best:.4g}")
            if len(ended) < len(trials):
                report_unfinished(queue, trials)
                break
            room = workers if search.n_trials is None else search.n_trials - len(trials)
            if room <= 0 or sampler.finished():
                break
            points = sampler.sample_batch(min(workers, room))
            try:
                trials = trials + add_trials(queue, search, points, len(trials), folds)
            except IntegrityError:
                # Another process added these trial numbers first: start again from the store.
                sampler, told, trials = search.build_sampler(), set(), search.trials
    write_results(search, trials)
    report_failed(queue, trials)
    return [trial.result() for trial in trials]


def finish_trials(
    queue: Queue, search: QueueSearch, executor: Executor, trials: list[Trial]
) -> list[Trial]:
    """Train the runs of the trials still running, score those that ended; every trial now."""
    if not any(trial.status == "running" for trial in trials):
        return trials
    executor.run_runs(queue, progress=False)
    scored = {trial.number: trial for trial in score_trials(queue, search, trials)}
    return [scored.get(trial.number, trial) for trial in trials]


def tell(sampler: Sampler, trials: list[Trial], told: set[int]) -> None:
    """Give the sampler each ended trial's ``(parameters, score)`` it was not told yet, by number."""
    for trial in trials:
        if trial.status != "running" and trial.number not in told:
            sampler.update(dict(trial.parameters), trial.score)
            told.add(trial.number)


def best_score(trials: list[Trial], goal: str) -> float | None:
    """The best score of the complete trials, by the goal; None before any."""
    scores = [trial.score for trial in trials if trial.score is not None]
    if not scores:
        return None
    return min(scores) if goal == "minimize" else max(scores)


def write_results(search: QueueSearch, trials: list[Trial]) -> Path:
    """Write every trial's result to the search's JSON file (replaced whole, never half written)."""
    path = Path(search.results_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    results = [trial.result() for trial in trials]
    temporary.write_text(json.dumps(results, indent=1, default=_json_default, allow_nan=False))
    temporary.replace(path)
    return path


def report_unfinished(queue: Queue, trials: list[Trial]) -> None:
    """Say (on stderr) which trials could not be finished here, and how to finish them."""
    running = [trial.number for trial in trials if trial.status == "running"]
    print(
        f"Queue {queue.id}: the search paused with trial(s) {running} unfinished (stopped, or "
        "still training in another process); run_jobs() again finishes them and goes on.",
        file=sys.stderr,
    )


def report_failed(queue: Queue, trials: list[Trial]) -> None:
    """Say (on stderr) which trials failed, and why the first of them did."""
    failed = [trial for trial in trials if trial.status == "failed"]
    if failed:
        print(
            f"Queue {queue.id}: {len(failed)} of {len(trials)} trial(s) failed (no score); "
            f"trial {failed[0].number}: {failed[0].message}",
            file=sys.stderr,
        )


def _length(sampler: Sampler) -> int | None:
    """How many points a sampler has, when it says (a grid), else None."""
    try:
        return len(sampler)  # type: ignore[arg-type]
    except TypeError:
        return None


def _json_default(value: Any) -> Any:
    """A NumPy scalar (in a user's category values) as the Python value it holds."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
