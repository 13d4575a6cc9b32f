"""Several processes on one Queue: each run is claimed by one worker and trained once."""

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sqlalchemy import update

from assay.orm import (
    Algorithm,
    Dataset,
    Feature,
    Hyperparamset,
    Label,
    Predictor,
    Queue,
    Run,
    Splitset,
)
from assay.orm.base import utcnow
from assay.orm.predictor import EpochMetrics
from assay.search.executors.run import execute_run
from assay.store import transaction
from assay.store.samples import cache_once

EPOCHS = [2, 3, 4, 5]
REPEATS = 3


def sgd_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss")


def sgd_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    """``hp['epochs']`` passes of partial_fit, each reported live as an epoch."""
    import time

    from assay.train.live import report_epoch

    label = train_label.ravel()
    losses = []
    for epoch in range(hp["epochs"]):
        model.partial_fit(train_features, label, classes=np.unique(label))
        time.sleep(0.05)  # long enough for the workers to overlap
        losses.append(float(1 - model.score(train_features, label)) + epoch)
        report_epoch(epoch, {"loss": losses[-1]})
    return model, {"loss": losses}


def iris_queue() -> Queue:
    """12 runs: 4 epoch counts, 3 repeats each; samples not cached yet."""
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    algorithm = Algorithm.make("sklearn", "classification_multi", sgd_build, sgd_train)
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"epochs": EPOCHS})
    return Queue.from_algorithm(
        algorithm.id,
        splitset.id,
        repeat_count=REPEATS,
        hyperparamset_id=hyperparamset.id,
        permute_count=0,
    )


WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from assay.orm import Queue

    queue_id, go = int(sys.argv[1]), Path(sys.argv[2])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    Queue.run_jobs(queue_id)
    """
)


def run_workers(queue_id: int, count: int, folder: Path) -> list[str]:
    """Start ``count`` workers, let them call run_jobs at the same moment; their stderr."""
    script = folder / "worker.py"
    script.write_text(WORKER)
    go = folder / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), str(queue_id), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        for _ in range(count)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    go.touch()
    errors = []
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        errors.append(err)
    return errors


def last_bar_count(err: str, total: int) -> int:
    """The count the progress bar showed last."""
    counts = re.findall(rf"(\d+)/{total} \[", err)
    return int(counts[-1])


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_started_together_train_each_run_once(backend, tmp_path, workers):
    queue = iris_queue()
    errors = run_workers(queue.id, workers, tmp_path)
    queue = Queue.get_by_id(queue.id)
    runs = queue.runs
    assert {run.status for run in runs} == {"succeeded"}, [(r.status, r.message) for r in runs]
    assert queue.runs_completed == queue.total_runs == len(EPOCHS) * REPEATS
    predictors = queue.predictors
    assert len(predictors) == queue.total_runs
    assert len({(p.job_id, p.repeat_index) for p in predictors}) == queue.total_runs
    for predictor in predictors:
        run = next(r for r in runs if r.id == predictor.run_id)
        epochs = predictor.get_hyperparameters(as_pandas=False)["epochs"]
        assert len(run.epochs) == len(predictor.history["loss"]) == epochs
        assert run.history()["loss"] == pytest.approx(predictor.history["loss"])
        assert predictor.job_id == run.job_id and predictor.repeat_index == run.repeat_index
    for err in errors:
        assert "failed" not in err
        # the bar counts the runs every process finished; what it lacks is said to be elsewhere
        shown = last_bar_count(err, queue.total_runs)
        found = re.search(r"(\d+) run\(s\) not done here", err)
        elsewhere = int(found.group(1)) if found else 0
        assert shown + elsewhere == queue.total_runs, err


# -- claiming, in one process -------------------------------------------------------------


def hold(run: Run, pid: int) -> None:
    """Make ``run`` look as if process ``pid`` of this host is training it."""
    with transaction() as db:
        db.execute(
            update(Run)
            .where(Run.id == run.id)
            .values(status="running", host=socket.gethostname(), pid=pid, time_started=utcnow())
        )


@pytest.fixture
def sleeper():
    """A live process of this host, other than this one."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield process
    process.kill()
    process.wait()


def test_of_two_claims_on_one_run_only_the_first_wins():
    run = iris_queue().runs[0]
    first, second = Run.get_by_id(run.id), Run.get_by_id(run.id)
    assert first.claim() is True
    assert second.claim() is False
    fresh = Run.get_by_id(run.id)
    assert (fresh.status, fresh.pid) == ("running", os.getpid())


def test_a_run_held_by_a_live_process_is_left_alone(sleeper):
    queue = iris_queue()
    run = queue.runs[0]
    hold(run, sleeper.pid)
    with transaction() as db:
        db.add(EpochMetrics(run_id=run.id, epoch=0, metrics={"loss": 1.0}))
    assert execute_run(run.id) is None
    fresh = Run.get_by_id(run.id)
    assert (fresh.status, fresh.pid) == ("running", sleeper.pid)
    assert len(fresh.epochs) == 1  # its epochs are not cleared by another worker
    assert queue.predictors == []


def test_a_run_held_by_a_dead_process_is_taken_over():
    queue = iris_queue()
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    run = queue.runs[0]
    hold(run, process.pid)
    assert execute_run(run.id) == "succeeded"
    assert len(queue.predictors) == 1


def test_a_failing_final_write_marks_the_run_failed(capsys):
    """A Predictor already stored for a run (as an earlier race left it) fails that run only."""
    queue = iris_queue()
    run = queue.runs[0]
    with transaction() as db:
        db.add(
            Predictor(
                job_id=run.job_id,
                repeat_index=run.repeat_index,
                time_started=utcnow(),
                time_succeeded=utcnow(),
                time_duration=0,
                model_file=b"",
                features_shapes=(4,),
                label_shape=(1,),
                history={},
                ordered_class_names=None,
                ordered_feature_names=[],
                library="sklearn",
            )
        )
    queue.run_jobs(progress=False)
    runs = queue.runs
    assert runs[0].status == "failed" and "IntegrityError" in runs[0].message
    assert {run.status for run in runs[1:]} == {"succeeded"}
    assert Queue.get_by_id(queue.id).runs_completed == queue.total_runs - 1
    assert len(queue.predictors) == queue.total_runs  # the old one and one per other run
    assert "1 run(s) failed" in capsys.readouterr().err


# -- runs held by other processes: zombies, live ones -------------------------------------

HOLD_AND_SLEEP = textwrap.dedent(
    """
    import os, socket, sys, time
    from sqlalchemy import update
    from assay.orm import Run
    from assay.orm.base import utcnow
    from assay.store import transaction

    with transaction() as db:
        db.execute(
            update(Run)
            .where(Run.id == int(sys.argv[1]))
            .values(status="running", host=socket.gethostname(), pid=os.getpid(), time_started=utcnow())
        )
    print("held", flush=True)
    time.sleep(600)
    """
)


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="needs os.waitid to leave a zombie")
def test_a_run_of_a_killed_unreaped_child_is_resumed(tmp_path):
    queue = iris_queue()
    run = queue.runs[5]
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_SLEEP, str(run.id)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert child.stdout.readline().strip() == "held"
        os.kill(child.pid, signal.SIGKILL)
        # wait for it to exit without reaping it: it stays a zombie of this process
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        assert Run.get_by_id(run.id).pid == child.pid
        queue.run_jobs(progress=False)
        assert Queue.get_by_id(queue.id).runs_completed == queue.total_runs == 12
        assert {r.status for r in queue.runs} == {"succeeded"}
    finally:
        child.kill()
        child.wait()


def test_run_jobs_says_which_runs_other_processes_still_hold(sleeper, capsys):
    queue = iris_queue()
    hold(queue.runs[2], sleeper.pid)
    queue.run_jobs(progress=False)
    assert Queue.get_by_id(queue.id).runs_completed == queue.total_runs - 1
    err = capsys.readouterr().err
    assert "1 run(s) not done here" in err and f"pid {sleeper.pid} on" in err


def test_workers_starting_together_cache_the_samples_once(monkeypatch):
    splitset = iris_queue().splitset
    calls = []
    real = Splitset.__dict__["cache_samples"]  # the id_method, to call on a row

    def counted(self):
        calls.append(self.id)
        return real.__get__(self, Splitset)()

    monkeypatch.setattr(Splitset, "cache_samples", counted)
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        cache_once(Splitset.get_by_id(splitset.id))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [splitset.id]
    assert Splitset.get_by_id(splitset.id).cache_is_hot
