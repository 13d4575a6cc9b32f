"""The Dask executor on a real LocalCluster of worker processes, on SQLite and PostgreSQL."""

import os
import signal
import threading
import time

import pandas as pd
import pytest
from sqlalchemy import update

from assay.errors import InvalidArgument
from assay.orm import Queue, Run
from assay.orm.base import utcnow
from assay.search import DaskExecutor
from assay.search.executors.dask import run_task
from assay.store import transaction
from tests.conftest import skip_unless
from tests.search.iris_queues import assert_trained_once, iris_queues, metrics_by_combination

try:
    import distributed
except ImportError:  # pragma: no cover - the distributed extra is missing
    distributed = None

HOW_TO_ENABLE = "pip install 'assay[distributed]' to run the Dask executor's tests"


@pytest.fixture(scope="module")
def client():
    """A Client on a LocalCluster of two single-threaded worker processes, shared by the module."""
    skip_unless(distributed is not None, HOW_TO_ENABLE, "ASSAY_REQUIRE_DASK")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


def test_dask_workers_give_the_serial_results(backend, client):
    serial, on_dask = iris_queues(count=2, repeat_count=2)
    serial.run_jobs(progress=False)
    on_dask.run_jobs(progress=False, executor="dask", client=client)
    assert_trained_once(on_dask)
    worker_pids = set(client.run(os.getpid).values())
    assert {run.pid for run in Queue.get_by_id(on_dask.id).runs} <= worker_pids
    pd.testing.assert_frame_equal(metrics_by_combination(serial), metrics_by_combination(on_dask))
    assert client.status == "running"  # a Client passed in is the caller's: left open


def test_a_killed_worker_s_run_is_requeued_and_finished_once(backend, client):
    (queue,) = iris_queues(repeat_count=2, sleep=3.0)
    done = threading.Event()

    def run_jobs():
        try:
            queue.run_jobs(progress=False, executor="dask", client=client)
        finally:
            done.set()

    thread = threading.Thread(target=run_jobs)
    thread.start()
    try:
        victim = first_running_run(queue)
        os.kill(victim.pid, signal.SIGKILL)
    finally:
        thread.join(timeout=300)
    assert done.is_set()
    assert_trained_once(queue)
    retried = Run.get_by_id(victim.id)
    assert retried.pid != victim.pid and retried.time_started > victim.time_started
    assert len(retried.epochs) == len(Queue.get_by_id(queue.id).runs[0].epochs)


def first_running_run(queue: Queue) -> Run:
    """The first run a worker process is training (a minute at most)."""
    for _ in range(3000):
        running = [run for run in Queue.get_by_id(queue.id).runs if run.status == "running"]
        if running and running[0].pid != os.getpid():
            return running[0]
        time.sleep(0.02)
    raise AssertionError("no run started on the cluster")


def test_the_default_local_cluster_is_started_and_closed(monkeypatch):
    skip_unless(distributed is not None, HOW_TO_ENABLE, "ASSAY_REQUIRE_DASK")
    (queue,) = iris_queues()
    executor = DaskExecutor(n_workers=1)
    assert executor.workers == 1 and executor.client is None  # nothing started yet
    with executor:
        queue.run_jobs(progress=False, executor=executor)
        cluster = executor.cluster
        assert cluster.status.name == "running"  # an instance passed in stays open
    assert executor.client is None and cluster.status.name == "closed"
    assert_trained_once(queue)


def test_a_task_waits_for_another_host_s_run_to_go_stale_then_takes_it(monkeypatch):
    """What a retried task does when the worker that died was on another machine."""
    monkeypatch.setenv("ASSAY_HEARTBEAT_SECONDS", "0.05")
    monkeypatch.setenv("ASSAY_HEARTBEAT_TIMEOUT", "1")
    (queue,) = iris_queues()
    run = queue.runs[0]
    with transaction() as db:  # its worker on another host beat just now, then died
        db.execute(
            update(Run)
            .where(Run.id == run.id)
            .values(status="running", host="another-host", pid=4242, heartbeat=utcnow())
        )
    assert Run.get_by_id(run.id).is_live()
    url, home = os.environ["ASSAY_DATABASE_URL"], os.environ["ASSAY_HOME"]
    assert run_task(run.id, url, home) == "succeeded"
    taken = Run.get_by_id(run.id)
    assert (taken.status, taken.pid) == ("succeeded", os.getpid())
    assert len(Queue.get_by_id(queue.id).predictors) == 1
    assert run_task(run.id, url, home) is None  # done: a second attempt trains nothing


def test_a_worker_that_cannot_see_the_sqlite_metastore_says_so(tmp_path):
    (queue,) = iris_queues()
    missing = f"sqlite:///{tmp_path / 'elsewhere' / 'assay.sqlite3'}"
    with pytest.raises(InvalidArgument, match=r"cannot see the SQLite metastore .*PostgreSQL"):
        run_task(queue.runs[0].id, missing, str(tmp_path))
    assert not (tmp_path / "elsewhere").exists()


def test_dask_options_are_checked_before_anything_starts():
    with pytest.raises(InvalidArgument, match=r"pass one of address .*\['address', 'n_workers'\]"):
        DaskExecutor(address="tcp://127.0.0.1:8786", n_workers=2)
    with pytest.raises(InvalidArgument, match="address must be a scheduler's address"):
        DaskExecutor(address="")
    with pytest.raises(InvalidArgument, match="n_workers must be an int >= 1"):
        DaskExecutor(n_workers=1.5)


def test_a_grid_search_gives_the_same_trials_serially_in_parallel_and_on_dask(backend, client):
    from assay.search import Search
    from tests.search.helpers import iris_splitset, logistic_algorithm

    space = {
        "C": {"type": "category", "values": [0.05, 0.5, 5.0]},
        "max_iter": {"type": "int", "low": 100, "high": 200, "steps": 2},
    }
    splitset = iris_splitset()
    results = {}
    for executor, options in (
        ("serial", {}),
        ("parallel", {"max_workers": 2}),
        ("dask", {"client": client}),
    ):
        queue = Queue.from_algorithm(
            logistic_algorithm().id,
            splitset.id,
            permute_count=0,
            search=Search("grid", space, metric="loss", goal="minimize"),
        )
        queue.run_jobs(progress=False, executor=executor, **options)
        assert_trained_once(queue)
        results[executor] = [
            (trial["parameters"], round(trial["score"], 12)) for trial in queue.search_results()
        ]
    assert len(results["serial"]) == 6
    assert results["parallel"] == results["serial"]
    assert results["dask"] == results["serial"]
