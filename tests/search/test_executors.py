"""Executors: serial, parallel worker processes, a user's own; and what they refuse."""

import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from assay.errors import InvalidArgument
from assay.mlops import Architecture, Experiment, Trainer
from assay.orm import Algorithm, Queue
from assay.search import (
    Executor,
    ParallelExecutor,
    SerialExecutor,
    executor_registry,
    get_executor,
)
from tests.search.iris_queues import (
    assert_trained_once,
    iris_queues,
    iris_splitset,
    logistic_build,
    logistic_train,
    metrics_by_combination,
)


def test_parallel_workers_train_each_run_once_with_the_serial_results(backend):
    serial, parallel = iris_queues(count=2, repeat_count=2)
    serial.run_jobs(progress=False)
    parallel.run_jobs(progress=False, executor="parallel", max_workers=2)
    assert_trained_once(serial)
    assert_trained_once(parallel)
    pids = {run.pid for run in Queue.get_by_id(parallel.id).runs}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2  # trained by the workers
    pd.testing.assert_frame_equal(metrics_by_combination(serial), metrics_by_combination(parallel))


def test_workers_stay_up_between_batches_and_share_the_cores():
    first, second = iris_queues(count=2)
    with ParallelExecutor(max_workers=2) as executor:
        executor.run_runs(first, progress=False)
        started = {worker.process.pid for worker in executor.pool.workers}
        executor.run_runs(second, progress=False)
        assert {worker.process.pid for worker in executor.pool.workers} == started
        processes = [worker.process for worker in executor.pool.workers]
    assert all(process.returncode == 0 for process in processes)  # closed: they ended
    assert executor.pool.workers == []
    for queue in (first, second):
        assert_trained_once(queue)
        models = [predictor.get_model() for predictor in Queue.get_by_id(queue.id).predictors]
        assert {model.pid_ for model in models} <= started
        share = max(1, len(os.sched_getaffinity(0)) // 2)
        assert {thread for model in models for thread in model.pool_threads_} == {share}


RUN_JOBS = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from assay.orm import Algorithm, Queue

    queue_id, workers, go = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    Queue.run_jobs(queue_id, executor="parallel", max_workers=workers)
    """
)


@pytest.mark.parametrize(("callers", "workers"), [(2, 2), (4, 1)])
def test_processes_running_one_queue_in_parallel_at_once_train_each_run_once(
    tmp_path, callers, workers
):
    (queue,) = iris_queues()
    script, go = tmp_path / "run_jobs.py", tmp_path / "go"
    script.write_text(RUN_JOBS)
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), str(queue.id), str(workers), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(callers)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready", process.communicate()
    go.touch()
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "failed" not in err and "ended with an error" not in err, err
    assert_trained_once(queue)


def test_ctrl_c_stops_the_workers_and_leaves_the_runs_resumable(tmp_path):
    (queue,) = iris_queues(sleep=30.0)
    script = tmp_path / "run_jobs.py"
    script.write_text(
        "import sys\nfrom assay.orm import Queue\n"
        "Queue.run_jobs(int(sys.argv[1]), executor='parallel', max_workers=2)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, str(script), str(queue.id)], stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: sum(r.status == "running" for r in Queue.get_by_id(queue.id).runs) == 2)
        parent.send_signal(subprocess.signal.SIGINT)
        _, err = parent.communicate(timeout=120)
    finally:
        parent.kill()
    assert parent.returncode == 0, err
    assert f"Queue {queue.id} stopped by the user; run_jobs() again resumes" in err
    runs = Queue.get_by_id(queue.id).runs
    assert sorted(run.status for run in runs) == ["queued", "stopped", "stopped"]
    assert all(run.is_claimable() for run in runs)  # the next run_jobs takes them all
    assert Queue.get_by_id(queue.id).predictors == []


def wait_for(condition, attempts: int = 3000) -> None:
    """Poll ``condition`` (every 20 ms, a minute at most) until it holds."""
    import time

    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("the condition never held")


def test_serial_is_the_default_and_trains_here():
    (queue,) = iris_queues()
    queue.run_jobs(progress=False)
    assert {run.pid for run in Queue.get_by_id(queue.id).runs} == {os.getpid()}
    assert_trained_once(queue)


# -- a user's own executor ----------------------------------------------------------------


class NewestFirstExecutor(Executor):
    """Trains the runs here, last created first."""

    def __init__(self, sampler=None, metric="loss", split="validation", limit=None):
        super().__init__(sampler, metric, split)
        self.limit = limit

    @property
    def workers(self) -> int:
        return 1

    def run_runs(self, queue, progress=True):
        from assay.search.executors.run import execute_run

        for run in reversed(queue.pending_runs()[: self.limit]):
            execute_run(run.id)


@pytest.fixture
def newest_first():
    executor_registry["newest_first"] = NewestFirstExecutor
    yield NewestFirstExecutor
    del executor_registry["newest_first"]


def test_a_registered_executor_works_by_name_in_run_jobs_and_the_trainer(newest_first):
    (queue,) = iris_queues()
    queue.run_jobs(progress=False, executor="newest_first", limit=2)
    runs = Queue.get_by_id(queue.id).runs
    assert [run.status for run in runs] == ["succeeded", "succeeded", "queued"]
    assert runs[1].time_started < runs[0].time_started  # newest first
    splitset = iris_splitset()
    architecture = Architecture(
        "sklearn",
        "classification_multi",
        logistic_build,
        logistic_train,
        hyperparameters={"C": [1.0, 2.0]},
    )
    trainer = Trainer(splitset, permute_count=0, executor="newest_first")
    queue = Experiment(architecture, trainer)
    queue.run_jobs(progress=False)
    first, second = Queue.get_by_id(queue.id).runs
    assert second.time_started < first.time_started
    assert isinstance(get_executor("newest_first"), NewestFirstExecutor)


# -- what executors refuse, before anything runs ------------------------------------------


@pytest.mark.parametrize(
    ("executor", "options", "message"),
    [
        ("threads", {}, r"executor must be one of \['dask', 'parallel', 'serial'\]"),
        (dict, {}, "executor must be a subclass of Executor"),
        ("parallel", {"max_workers": 0}, "max_workers must be an int >= 1"),
        ("parallel", {"max_workers": "2"}, r"max_workers must be an int >= 1 .*got '2'"),
        ("parallel", {"max_workers": True}, "max_workers must be an int >= 1"),
        ("parallel", {"address": "tcp://x:1"}, r"ParallelExecutor takes .*'max_workers'\]"),
        ("serial", {"max_workers": 2}, r"SerialExecutor takes \['sampler', 'metric', 'split'\]"),
        ("dask", {"n_workers": 0}, "n_workers must be an int >= 1"),
        ("dask", {"n_workers": 2, "address": "tcp://x:1"}, "pass one of address"),
        ("dask", {"client": "tcp://x:1"}, "client must be a distributed.Client"),
        ("serial", {"split": "holdout"}, r"split must be one of \['train', 'validation', 'test'\]"),
        ("serial", {"sampler": "tpe"}, "sampler must be an assay.search.Sampler or None"),
        (SerialExecutor(), {"max_workers": 2}, r"options \['max_workers'\] are for an executor"),
    ],
)
def test_bad_executors_and_options_are_refused_before_any_run(executor, options, message):
    (queue,) = iris_queues()
    with pytest.raises(InvalidArgument, match=message):
        queue.run_jobs(progress=False, executor=executor, **options)
    assert {run.status for run in Queue.get_by_id(queue.id).runs} == {"queued"}


def test_a_bad_trainer_executor_writes_nothing():
    architecture = Architecture("sklearn", "classification_multi", logistic_build, logistic_train)
    splitset = iris_splitset()
    for executor, options, message in [
        ("gpu", None, "executor must be one of"),
        ("parallel", {"max_workers": -1}, "max_workers must be an int >= 1"),
        ("parallel", [("max_workers", 2)], "executor_options must be a dict"),
    ]:
        trainer = Trainer(splitset, executor=executor, executor_options=options)
        with pytest.raises(InvalidArgument, match=message):
            Experiment(architecture, trainer)
    assert Queue.select_where() == [] and Algorithm.select_where() == []


def test_executors_keep_a_search_s_settings_and_their_size():
    parallel = ParallelExecutor(metric="accuracy", split="test", max_workers=3)
    assert (parallel.metric, parallel.split, parallel.workers) == ("accuracy", "test", 3)
    assert ParallelExecutor().workers == len(os.sched_getaffinity(0))
    assert SerialExecutor().workers == 1
    assert isinstance(get_executor(ParallelExecutor, max_workers=2), ParallelExecutor)
