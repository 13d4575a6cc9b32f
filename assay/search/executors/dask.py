"""The Dask executor: one task per run on a ``distributed`` cluster.

By default a ``LocalCluster`` of worker processes on this machine (one thread each), started
on first use and closed by ``close()`` (``run_jobs`` closes what it built); or the cluster
at a scheduler ``address``; or a ``Client`` the caller already has (left open). Each task is
``run_task(run_id, database_url, home)``: it opens the metastore this process uses (a SQLite
file when the workers share this machine, PostgreSQL when they do not) and runs
``execute_run``. A worker that dies mid-run: Dask gives its task to another worker, which
takes the run over once its holder is known dead (its pid gone on this host, its heartbeat
stale on another), so the run is trained to the end exactly once.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assay import config
from assay.errors import InvalidArgument, MissingDependency
from assay.search.executors.base import Executor, check_worker_count
from assay.search.executors.parallel import available_cores
from assay.search.executors.serial import last_count, queue_bar, report_undone, say_stopped
from assay.search.samplers import Sampler

if TYPE_CHECKING:
    from assay.orm.queue import Queue

INSTALL = "the Dask executor needs dask.distributed: pip install 'assay[distributed]'"


def run_task(run_id: int, database_url: str, home: str) -> str | None:
    """Train one run in a Dask worker, on the metastore the caller named; its status.

    When another process holds the run (for instance a worker that died on another host,
    until its heartbeat is stale), the task waits and takes the run over, or returns None
    once someone else has finished it.

    Args:
        run_id: The run to train.
        database_url: The caller's metastore (``config.database_url()``).
        home: The caller's ``ASSAY_HOME`` (the samples cache, when on the same machine).
    """
    os.environ["ASSAY_DATABASE_URL"] = database_url
    os.environ["ASSAY_HOME"] = home
    check_reachable(database_url)
    from assay.orm.run import Run
    from assay.search.executors.run import execute_run
    from assay.store.liveness import heartbeat_seconds
    from assay.store.samples import cache_once

    cache_once(Run.get_by_id(run_id).job.queue.splitset)
    while True:
        status = execute_run(run_id)
        if status is not None:
            return status
        run = Run.get_by_id(run_id)
        if run.status == "succeeded":
            return None
        if not run.is_claimable():
            time.sleep(heartbeat_seconds())


def check_reachable(database_url: str) -> None:
    """Refuse a SQLite metastore that is not on this worker's machine (instead of a new one)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        import socket

        raise InvalidArgument(
            f"the Dask worker on {socket.gethostname()} cannot see the SQLite metastore "
            f"{url.database}: workers on other machines need a shared PostgreSQL metastore "
            "(set ASSAY_DATABASE_URL=postgresql://... before run_jobs)."
        )


class DaskExecutor(Executor):
    """Trains the runs as tasks on a Dask cluster (a LocalCluster unless told otherwise).

    Args:
        sampler: The search's sampler (see ``Executor``).
        metric: The metric a search scores trials by.
        split: The split that metric is read on.
        address: A scheduler's address (``"tcp://host:8786"``) to connect to.
        n_workers: Worker processes of the LocalCluster started here; None: the cores.
        client: A ``distributed.Client`` to use as it is (not closed by ``close``).
    """

    def __init__(
        self,
        sampler: Sampler | None = None,
        metric: str = "loss",
        split: str = "validation",
        address: str | None = None,
        n_workers: int | None = None,
        client: Any = None,
    ) -> None:
        super().__init__(sampler, metric, split)
        if address is not None and (not isinstance(address, str) or not address):
            raise InvalidArgument(f"address must be a scheduler's address (str); got {address!r}.")
        given = [
            name
            for name, value in (("address", address), ("client", client), ("n_workers", n_workers))
            if value is not None
        ]
        if len(given) > 1:
            raise InvalidArgument(
                "pass one of address (a running cluster), client (a connected Client) or "
                f"n_workers (a LocalCluster started here); got {given}."
            )
        if client is not None and not is_client(client):
            raise InvalidArgument(
                f"client must be a distributed.Client; got {type(client).__name__}."
            )
        self.address = address
        self.n_workers = check_worker_count(n_workers, "n_workers")
        self.client = client
        self.cluster: Any = None
        self.owns_client = client is None

    @property
    def workers(self) -> int:
        """How many runs the cluster trains at once: its worker threads (connecting if need be)."""
        if self.client is None and self.address is None:
            return self.n_workers or available_cores()
        threads = self.connect().nthreads()
        return max(1, sum(threads.values()))

    def connect(self) -> Any:
        """The Client, connecting (or starting the LocalCluster) on first use."""
        if self.client is not None:
            return self.client
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise MissingDependency(INSTALL) from exc
        if self.address is None:
            self.cluster = LocalCluster(
                n_workers=self.n_workers or available_cores(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
        else:
            self.client = Client(self.address)
        return self.client

    def close(self) -> None:
        """Close the Client and the LocalCluster this executor started (not a given Client)."""
        if not self.owns_client:
            return
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def run_runs(self, queue: Queue, progress: bool = True) -> None:
        """Train every claimable run of ``queue`` as one task each on the cluster.

        A task that raises (not a run that fails: that is recorded on the run) is re-raised
        here once every task has ended, after the report of what is not done.

        Args:
            queue: The Queue whose runs to train.
            progress: Show a progress bar (on stderr).
        """
        from distributed import as_completed

        run_ids = [run.id for run in queue.pending_runs()]
        if not run_ids:  # nothing to train: no cluster to start
            report_undone(queue.id, queue.runs)
            return
        client = self.connect()
        from assay.store.samples import cache_once  # the ORM: not at import

        cache_once(queue.splitset)
        url, home = config.database_url(), str(config.assay_home())
        futures = client.map(run_task, run_ids, database_url=url, home=home, pure=False)
        errors: list[BaseException] = []
        with queue_bar(queue, progress) as bar:
            try:
                for future in as_completed(futures):
                    if future.status == "error":
                        errors.append(future.exception())
                    bar.update(max(0, queue.succeeded_count() - bar.n))
            except KeyboardInterrupt:
                client.cancel(futures)
                self.close()  # a LocalCluster's workers end; their runs stay resumable
                say_stopped(queue, bar)
            runs = last_count(queue, bar)
        report_undone(queue.id, runs)
        if errors:
            print(f"Queue {queue.id}: {len(errors)} Dask task(s) raised.", file=sys.stderr)
            raise errors[0]


def is_client(value: Any) -> bool:
    """Whether ``value`` is a ``distributed.Client`` (without importing distributed needlessly)."""
    distributed = sys.modules.get("distributed")
    return distributed is not None and isinstance(value, distributed.Client)
