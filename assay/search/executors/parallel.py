"""The parallel executor: worker processes on this machine, each running the claim loop.

Each worker is a fresh Python (``python -m assay.search.executors.worker``, like a
multiprocessing "spawn" child but without re-running the caller's script, so no
``if __name__ == "__main__"`` guard is needed and it works from notebooks). Its environment
names the same metastore as this process's and caps its threads to its share of the cores,
set before Python starts so that BLAS and torch read it when they load. Workers stay up
between ``run_runs`` calls (a search's batches) until ``close()``, so each pays its start
once. The samples are cached once before the workers start on a Queue. This process only
watches: a progress bar of the runs succeeded, Ctrl-C forwarded to the workers (each marks
its run stopped, so ``run_jobs`` again resumes), and the same report of what is not done as
the serial executor.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import assay
from assay import config
from assay.search.executors.base import Executor, check_worker_count
from assay.search.executors.serial import last_count, queue_bar, report_undone, say_stopped
from assay.search.samplers import Sampler

if TYPE_CHECKING:
    from assay.orm.queue import Queue

#: The variables that cap the threads of BLAS, OpenMP and the deep-learning libraries.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
)
#: A worker's exit status after Ctrl-C.
INTERRUPTED = 130
#: How often the parent reads the count of runs succeeded for its progress bar.
POLL_SECONDS = 0.5
#: How long workers get to mark their runs stopped after Ctrl-C (or to end after close())
#: before they are killed.
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
        self.pool = WorkerPool()

    @property
    def workers(self) -> int:
        """``max_workers``."""
        return self.max_workers

    def worker_environment(self) -> dict[str, str]:
        """The environment of each worker: this metastore, this assay, its share of threads."""
        environment = os.environ.copy()
        environment["ASSAY_DATABASE_URL"] = config.database_url()
        environment["ASSAY_HOME"] = str(config.assay_home())
        # the assay this process runs, even where it is not installed (a checkout)
        source = str(Path(assay.__file__).resolve().parent.parent)
        path = environment.get("PYTHONPATH")
        environment["PYTHONPATH"] = source if not path else f"{source}{os.pathsep}{path}"
        threads = max(1, available_cores() // self.max_workers)
        return environment | thread_environment(threads)

    def run_runs(self, queue: Queue, progress: bool = True) -> None:
        """Train every claimable run of ``queue`` in up to ``max_workers`` worker processes.

        Args:
            queue: The Queue whose runs to train.
            progress: Show a progress bar (on stderr).
        """
        claimable = len(queue.pending_runs())
        from assay.store.samples import cache_once  # the ORM: not at import

        cache_once(queue.splitset)
        with queue_bar(queue, progress) as bar:
            count = min(self.max_workers, claimable)
            workers = self.pool.serve(queue.id, count, self.worker_environment())
            try:
                while self.pool.busy(workers, POLL_SECONDS):
                    bar.update(max(0, queue.succeeded_count() - bar.n))
            except KeyboardInterrupt:
                self.pool.stop()
                say_stopped(queue, bar)
            runs = last_count(queue, bar)
        report_crashed(queue.id, self.pool.drop_ended())
        report_undone(queue.id, runs)

    def close(self) -> None:
        """End the worker processes (each finishes what it trains first)."""
        self.pool.close()


def thread_environment(threads: int) -> dict[str, str]:
    """The environment variables that hold a worker to ``threads`` threads."""
    return {"ASSAY_WORKER_THREADS": str(threads)} | dict.fromkeys(THREAD_VARIABLES, str(threads))


class Worker:
    """One worker process: its Queue ids go to its stdin, its ``done`` lines come back."""

    def __init__(self, environment: dict[str, str]) -> None:
        read, write = os.pipe()
        try:
            # A session of its own: Ctrl-C in a terminal reaches the parent only, which
            # forwards it once to each worker (see ``WorkerPool.stop``).
            self.process = subprocess.Popen(
                [sys.executable, "-m", "assay.search.executors.worker", str(write)],
                env=environment,
                stdin=subprocess.PIPE,
                pass_fds=(write,),
                start_new_session=True,
                text=True,
            )
        finally:
            os.close(write)
        self.done = os.fdopen(read, "r")
        self.working = False

    def serve(self, queue_id: int) -> None:
        """Have the worker train the claimable runs of a Queue."""
        self.process.stdin.write(f"{queue_id}\n")
        self.process.stdin.flush()
        self.working = True

    def settle(self) -> None:
        """Read the worker's answer (it is ready): ``done``, or nothing when it ended."""
        if not self.done.readline():
            self.process.wait()
        self.working = False

    def end(self, timeout: float) -> None:
        """Close its stdin (it ends after its current Queue), kill it after ``timeout``."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.done.close()


class WorkerPool:
    """The worker processes of a ParallelExecutor, kept between ``run_runs`` calls."""

    def __init__(self) -> None:
        self.workers: list[Worker] = []
        self.environment: dict[str, str] | None = None

    def serve(self, queue_id: int, count: int, environment: dict[str, str]) -> list[Worker]:
        """Give the Queue to ``count`` workers, starting those missing; the workers given it.

        Args:
            queue_id: The Queue to train.
            count: How many workers to give it.
            environment: The workers' environment; the pool starts afresh when it changed
                (another metastore, say) since the workers started.
        """
        self.drop_ended()
        if environment != self.environment:
            self.close()
            self.environment = environment
        while len(self.workers) < count:
            self.workers.append(Worker(environment))
        chosen = self.workers[:count]
        for worker in chosen:
            worker.serve(queue_id)
        return chosen

    def busy(self, workers: list[Worker], timeout: float) -> bool:
        """Wait up to ``timeout`` for answers; whether some of ``workers`` still work."""
        working = {worker.done.fileno(): worker for worker in workers if worker.working}
        if not working:
            return False
        ready, _, _ = select.select(list(working), [], [], timeout)
        for descriptor in ready:
            working[descriptor].settle()
        return any(worker.working for worker in workers)

    def stop(self) -> None:
        """Ctrl-C every worker, and kill those that do not end in time; the pool is empty.

        A worker killed mid-run leaves its run 'running' under a dead pid, which the next
        ``run_jobs`` takes over; one that stops in time marks it 'stopped'.
        """
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGINT)
        for worker in self.workers:
            worker.end(STOP_GRACE_SECONDS)
            worker.working = False

    def drop_ended(self) -> list[subprocess.Popen]:
        """Forget the workers that have ended (crashed, or stopped); their processes."""
        ended = [worker for worker in self.workers if worker.process.poll() is not None]
        for worker in ended:
            worker.done.close()
        self.workers = [worker for worker in self.workers if worker not in ended]
        return [worker.process for worker in ended]

    def close(self) -> None:
        """End every worker (each finishes its current Queue first)."""
        for worker in self.workers:
            worker.end(timeout=STOP_GRACE_SECONDS)
        self.workers = []


def report_crashed(queue_id: int, ended: list[subprocess.Popen]) -> None:
    """Print (to stderr) the workers that ended with an error of their own (not Ctrl-C)."""
    crashed = [w for w in ended if w.returncode not in (0, INTERRUPTED, -signal.SIGINT)]
    if crashed:
        codes = ", ".join(f"pid {w.pid}: exit status {w.returncode}" for w in crashed)
        print(
            f"Queue {queue_id}: {len(crashed)} worker process(es) ended with an error ({codes}); "
            "their message is above, and run_jobs() again takes over their runs.",
            file=sys.stderr,
        )
