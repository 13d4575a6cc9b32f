"""The heartbeat: written while a run trains, and how another host's run is judged by it."""

import socket
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import update

from assay.errors import InvalidArgument
from assay.orm import Algorithm, Queue, Run
from assay.orm.base import utcnow
from assay.search.executors.heartbeat import Heartbeat
from assay.store import transaction
from assay.store.liveness import heartbeat_seconds, heartbeat_timeout
from tests.search.iris_queues import iris_queues, iris_splitset


def train_until_the_heartbeat_moves(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    """Fit only once this run's heartbeat has been stamped again after its claim."""
    import time

    from assay.orm import Run

    for _ in range(6000):  # two minutes at most
        (run,) = Run.select_where(Run.status == "running")
        if run.heartbeat > run.time_started:
            break
        time.sleep(0.02)
    else:
        raise AssertionError("the heartbeat never moved while the run trained")
    return model.fit(train_features, train_label.ravel())


def logistic(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()


def test_a_training_run_beats_and_stops_beating_when_it_ends(monkeypatch):
    monkeypatch.setenv("ASSAY_HEARTBEAT_SECONDS", "0.05")
    splitset = iris_splitset()
    algorithm = Algorithm.make(
        "sklearn", "classification_multi", logistic, train_until_the_heartbeat_moves
    )
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0)
    queue.run_jobs(progress=False)
    (run,) = Queue.get_by_id(queue.id).runs
    assert run.status == "succeeded", run.message
    assert run.time_started < run.heartbeat <= run.time_ended
    # the run is no longer held: a heartbeat now changes nothing, and says so
    assert Heartbeat(run).beat() is False
    assert Run.get_by_id(run.id).heartbeat == run.heartbeat


def held_elsewhere(run: Run, beat_age: timedelta | None) -> Run:
    """Make ``run`` look held by a process of another host whose last beat is that old."""
    now = utcnow()
    with transaction() as db:
        db.execute(
            update(Run)
            .where(Run.id == run.id)
            .values(
                status="running",
                host=f"not-{socket.gethostname()}",
                pid=4242,
                time_started=now - timedelta(hours=1),
                heartbeat=None if beat_age is None else now - beat_age,
            )
        )
    return Run.get_by_id(run.id)


def test_another_host_s_run_is_alive_while_its_heartbeat_is_fresh(monkeypatch):
    monkeypatch.setenv("ASSAY_HEARTBEAT_SECONDS", "10")
    assert heartbeat_timeout() == 60  # six beats by default
    (queue,) = iris_queues()
    first, second, third = queue.runs
    fresh = held_elsewhere(first, timedelta(seconds=5))
    assert fresh.is_live() and not fresh.is_claimable() and not fresh.claim()
    stale = held_elsewhere(second, timedelta(seconds=61))
    assert not stale.is_live() and stale.is_claimable()
    never = held_elsewhere(third, None)  # claimed before heartbeats: nothing proves it lives
    assert not never.is_live()
    monkeypatch.setenv("ASSAY_HEARTBEAT_TIMEOUT", "3600")
    assert stale.is_live() and not stale.is_claimable()
    monkeypatch.delenv("ASSAY_HEARTBEAT_TIMEOUT")
    queue.run_jobs(progress=False)
    runs = Queue.get_by_id(queue.id).runs
    assert [run.status for run in runs] == ["running", "succeeded", "succeeded"]
    assert runs[1].host == socket.gethostname() and runs[1].heartbeat is not None


RACE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from assay.orm import Run

    run = Run.get_by_id(int(sys.argv[1]))
    print("ready", flush=True)
    while not Path(sys.argv[2]).exists():
        time.sleep(0.002)
    print("won" if run.claim() else "lost", flush=True)
    """
)


@pytest.mark.parametrize("racers", [2, 4])
def test_racers_for_a_stale_run_give_it_to_exactly_one(backend, tmp_path, racers):
    (queue,) = iris_queues()
    run = held_elsewhere(queue.runs[0], timedelta(hours=1))
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, str(run.id), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(racers)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready", process.communicate()
    go.touch()  # every racer has read the stale row: all of them try to take it
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.append(out.strip())
    assert sorted(outcomes) == ["lost"] * (racers - 1) + ["won"]
    winner = processes[outcomes.index("won")]
    taken = Run.get_by_id(run.id)
    assert (taken.status, taken.host, taken.pid) == ("running", socket.gethostname(), winner.pid)


def test_a_stale_claim_loses_to_a_holder_that_beat_meanwhile():
    (queue,) = iris_queues()
    run = held_elsewhere(queue.runs[0], timedelta(hours=1))
    with transaction() as db:  # the holder was slow, not dead: it beats now
        db.execute(update(Run).where(Run.id == run.id).values(heartbeat=utcnow()))
    assert run.is_claimable()  # as this object read it
    assert run.claim() is False
    assert Run.get_by_id(run.id).pid == 4242


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf", "nan"])
def test_bad_heartbeat_settings_are_clear_errors(monkeypatch, value):
    monkeypatch.setenv("ASSAY_HEARTBEAT_SECONDS", value)
    with pytest.raises(InvalidArgument, match="ASSAY_HEARTBEAT_SECONDS must be a number of"):
        heartbeat_seconds()
    monkeypatch.delenv("ASSAY_HEARTBEAT_SECONDS")
    monkeypatch.setenv("ASSAY_HEARTBEAT_TIMEOUT", value)
    with pytest.raises(InvalidArgument, match="ASSAY_HEARTBEAT_TIMEOUT must be a number of"):
        heartbeat_timeout()


def test_heartbeat_defaults():
    assert heartbeat_seconds() == 10
    assert heartbeat_timeout() == 60
