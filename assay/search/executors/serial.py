"""The serial executor: every run of a Queue that is left, one after the other, here.

Several processes may run it on one Queue at once: each claims a run before training it
(``Run.claim``), so no run is trained twice, and re-reads what is left after every run.
``train_claimable`` is that claim loop; the parallel executor's workers run it too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assay.search.executors.base import Executor

if TYPE_CHECKING:
    from assay.orm.queue import Queue
    from assay.orm.run import Run


def run_serial(queue: Queue, progress: bool = True) -> list[Run]:
    """Train every run of ``queue`` that has not succeeded yet, one after the other.

    The samples are cached first (once per host). A run that raises is recorded as failed
    and the queue goes on; Ctrl-C stops after marking the current run as stopped. What is
    not done is printed to stderr: failures, and runs still running elsewhere.

    Args:
        queue: The Queue.
        progress: Show a progress bar (on stderr).

    Returns:
        Every run of the Queue, as they stood at the end.
    """
    from assay.store.samples import cache_once  # the ORM: not at import

    cache_once(queue.splitset)
    with queue_bar(queue, progress) as bar:
        current: list[Run | None] = [None]

        def show(run: Run | None) -> None:
            current[0] = run
            if run is None:
                bar.update(max(0, queue.succeeded_count() - bar.n))
            else:
                bar.set_postfix_str(f"job {run.job_id} repeat {run.repeat_index}")

        try:
            train_claimable(queue, show)
        except KeyboardInterrupt:
            say_stopped(queue, bar, current[0])
        runs = last_count(queue, bar)
    report_undone(queue.id, runs)
    return runs


def queue_bar(queue: Queue, progress: bool) -> Any:
    """The progress bar of a Queue's runs (on stderr), counting those succeeded already."""
    from tqdm.auto import tqdm

    return tqdm(
        total=queue.total_runs,
        initial=queue.succeeded_count(),
        desc=f"Queue {queue.id}",
        unit="run",
        disable=not progress,
        file=sys.stderr,
    )


def last_count(queue: Queue, bar: Any) -> list[Run]:
    """Bring the bar to the runs succeeded by now; the Queue's runs (one snapshot)."""
    runs = queue.runs
    bar.update(max(0, count_status(runs, "succeeded") - bar.n))
    return runs


def train_claimable(queue: Queue, on_run: Callable[[Run | None], None] | None = None) -> None:
    """Claim and train runs until none is left that this process may take.

    The runs left are read afresh before each one, so runs that other processes took (or
    finished) are skipped; a run this call already trained is not tried again. Ctrl-C
    (KeyboardInterrupt) propagates, the run it cut off marked as stopped.

    Args:
        queue: The Queue.
        on_run: Called with each run as it starts, and with None after it ends.
    """
    from assay.search.executors.run import execute_run  # the ORM: not at import

    tried: set[int] = set()
    while (run := queue.next_claimable(skip=tried)) is not None:
        if on_run is not None:
            on_run(run)
        if execute_run(run.id) is not None:
            tried.add(run.id)
        if on_run is not None:
            on_run(None)


def say_stopped(queue: Queue, bar: Any, current: Run | None = None) -> None:
    """Tell (on stderr) that Ctrl-C stopped the queue, and how to resume it."""
    at = "" if current is None else f" at job {current.job_id}, repeat {current.repeat_index}"
    bar.write(
        f"Queue {queue.id} stopped by the user; run_jobs() again resumes{at}.", file=sys.stderr
    )


def count_status(runs: list[Run], status: str) -> int:
    """How many of ``runs`` are in ``status``."""
    return sum(run.status == status for run in runs)


def report_undone(queue_id: int, runs: list[Run]) -> None:
    """Print (to stderr) the runs that failed and those still running in other processes."""
    failed = [run for run in runs if run.status == "failed"]
    if failed:
        lines = [
            f"  run {r.id} (job {r.job_id}, repeat {r.repeat_index}): {r.message}" for r in failed
        ]
        print(
            f"Queue {queue_id}: {len(failed)} run(s) failed; see Run.traceback:\n"
            + "\n".join(lines),
            file=sys.stderr,
        )
    elsewhere = [run for run in runs if run.is_live()]
    if elsewhere:
        holders = sorted({f"pid {run.pid} on {run.host}" for run in elsewhere})
        print(
            f"Queue {queue_id}: {len(elsewhere)} run(s) not done here because they are still "
            f"running in other processes ({', '.join(holders)}); Queue.status_counts() shows "
            "when they end, and run_jobs() again takes over any whose process dies.",
            file=sys.stderr,
        )


class SerialExecutor(Executor):
    """Trains the runs one after the other in this process (004's SerialExecutor).

    Args:
        sampler: The search's sampler (see ``Executor``).
        metric: The metric a search scores trials by.
        split: The split that metric is read on.
    """

    @property
    def workers(self) -> int:
        """One run at a time."""
        return 1

    def run_runs(self, queue: Queue, progress: bool = True) -> None:
        """Train every claimable run of ``queue`` here, one after the other (``run_serial``)."""
        run_serial(queue, progress=progress)
