"""The parallel executor: worker processes on this machine, each running the claim loop.

Each worker is a fresh Python (``python -m assay.search.executors.worker``, like a
multiprocessing "spawn" child but without re-running the caller's script, so no
``if __name__ == "__main__"`` guard is needed and it works from notebooks). Its environment
names the same metastore as this process's and caps its threads to its share of the cores,
set before Python starts so that BLAS and torch read it when they load. The samples are
cached once before the workers start. This process only watches: a progress bar of the runs
succeeded, Ctrl-C forwarded to the workers (each marks its run stopped, so ``run_jobs``
again resumes), and the same report of what is not done as the serial executor.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import assay
from assay import config
from assay.search.executors.base import Executor, check_worker_count
from assay.search.executors.serial import count_status, report_undone, say_stopped
from assay.search.executors.worker import INTERRUPTED, thread_environment
from assay.search.samplers import Sampler
from assay.store.samples import cache_once

if TYPE_CHECKING:
    from assay.orm.queue import Queue

#: How often the parent reads the count of runs succeeded for its progress bar.
POLL_SECONDS = 0.5
#: How long workers get to mark their runs stopped after Ctrl-C before they are killed.
STOP_GRACE_SECONDS = 30.0


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class ParallelExecutor(Executor):
    """Trains up to ``max_workers`` runs at once in worker processes of this machine.

    Args:
        sampler: The search's sampler (see ``Executor``).
        metric: The metric a search scores trials by.
        split: The split that metric is read on.
        max_workers: How many worker processes at most; None: the number of cores.
    """

    def __init__(
        self,
        sampler: Sampler | None = None,
        metric: str = "loss",
        split: str = "validation",
        max_workers: int | None = None,
    ) -> None:
        super().__init__(sampler, metric, split)
        self.max_workers = check_worker_count(max_workers, "max_workers") or available_cores()

    @property
    def workers(self) -> int:
        """``max_workers``."""
        return self.max_workers

    def worker_environment(self, worker_count: int) -> dict[str, str]:
        """The environment of each worker: this metastore, this assay, its share of threads."""
        environment = os.environ.copy()
        environment["ASSAY_DATABASE_URL"] = config.database_url()
        environment["ASSAY_HOME"] = str(config.assay_home())
        # the assay this process runs, even where it is not installed (a checkout)
        source = str(Path(assay.__file__).resolve().parent.parent)
        path = environment.get("PYTHONPATH")
        environment["PYTHONPATH"] = source if not path else f"{source}{os.pathsep}{path}"
        threads = max(1, available_cores() // worker_count)
        return environment | thread_environment(threads)

    def run_runs(self, queue: Queue, progress: bool = True) -> None:
        """Train every claimable run of ``queue`` in up to ``max_workers`` worker processes.

        Args:
            queue: The Queue whose runs to train.
            progress: Show a progress bar (on stderr).
        """
        from tqdm.auto import tqdm

        claimable = len(queue.pending_runs())
        cache_once(queue.splitset)
        with tqdm(
            total=queue.total_runs,
            initial=queue.succeeded_count(),
            desc=f"Queue {queue.id}",
            unit="run",
            disable=not progress,
            file=sys.stderr,
        ) as bar:
            bar.set_postfix_str(f"{min(self.max_workers, claimable)} workers")
            workers = self.start_workers(queue, min(self.max_workers, claimable))
            try:
                while any(worker.poll() is None for worker in workers):
                    wait_a_little(workers)
                    bar.update(max(0, queue.succeeded_count() - bar.n))
            except KeyboardInterrupt:
                stop_workers(workers)
                say_stopped(queue, bar)
            runs = queue.runs
            bar.update(max(0, count_status(runs, "succeeded") - bar.n))
        report_crashed(queue.id, workers)
        report_undone(queue.id, runs)

    def start_workers(self, queue: Queue, count: int) -> list[subprocess.Popen]:
        """Start ``count`` worker processes on ``queue``.

        Each in a session of its own: Ctrl-C in a terminal reaches this process only, which
        forwards it once to each worker.
        """
        environment = self.worker_environment(max(1, count))
        command = [sys.executable, "-m", "assay.search.executors.worker", str(queue.id)]
        return [
            subprocess.Popen(
                command, env=environment, stdin=subprocess.DEVNULL, start_new_session=True
            )
            for _ in range(count)
        ]


def wait_a_little(workers: list[subprocess.Popen]) -> None:
    """Wait up to ``POLL_SECONDS`` for the first worker still running to end."""
    running = next((worker for worker in workers if worker.poll() is None), None)
    if running is None:
        return
    try:
        running.wait(timeout=POLL_SECONDS)
    except subprocess.TimeoutExpired:
        return


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """Ctrl-C each worker still running, and kill those that do not end in time.

    A worker killed mid-run leaves its run 'running' under a dead pid, which the next
    ``run_jobs`` takes over; one that stops in time marks it 'stopped'.
    """
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
    for worker in workers:
        try:
            worker.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def report_crashed(queue_id: int, workers: list[subprocess.Popen]) -> None:
    """Print (to stderr) the workers that ended with an error of their own (not Ctrl-C)."""
    crashed = [w for w in workers if w.returncode not in (0, INTERRUPTED, -signal.SIGINT)]
    if crashed:
        codes = ", ".join(f"pid {w.pid}: exit status {w.returncode}" for w in crashed)
        print(
            f"Queue {queue_id}: {len(crashed)} worker process(es) ended with an error ({codes}); "
            "their message is above, and run_jobs() again takes over their runs.",
            file=sys.stderr,
        )
