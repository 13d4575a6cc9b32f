"""A search killed at any moment (SIGKILL of the process running it) resumes to exactly n_trials."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from assay.orm import Hyperparamcombo, Queue
from assay.search import Search
from assay.search.loop import tell
from tests.search.helpers import C_SPACE, iris_splitset, logistic_algorithm

WORKER = textwrap.dedent(
    """
    import sys
    from assay.orm import Queue

    queue = Queue.get_by_id(int(sys.argv[1]))
    print("started", flush=True)
    queue.run_jobs(progress=False)
    """
)

GRID = {
    "C": {"type": "category", "values": [0.01, 0.1, 1.0, 10.0]},
    "max_iter": {"type": "int", "low": 50, "high": 150, "steps": 3},
}


def kill_while_searching(queue_id: int, kills: int, seed: int, n_trials: int) -> list[int]:
    """Run the search in a child process and SIGKILL it at a random moment, ``kills`` times.

    Each child is killed a random delay (up to 0.1 s) after the search has added a random
    number of trials beyond those already there, so that kills land anywhere in the loop:
    sampling, adding a trial, training, scoring. Returns the trial counts at each kill.
    """
    chosen = random.Random(seed)
    seen = []
    for _ in range(kills):
        start = len(Queue.get_by_id(queue_id).trials())
        if start >= n_trials - 3:
            break
        # Three trials of head room: the delay below must not let the search finish first.
        target = chosen.randint(start + 1, n_trials - 3)
        child = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(queue_id)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=os.environ.copy(),
        )
        try:
            assert child.stdout.readline().strip() == "started"
            deadline = time.monotonic() + 120
            while len(Queue.get_by_id(queue_id).trials()) < target:
                assert child.poll() is None and time.monotonic() < deadline
                time.sleep(0.01)
            time.sleep(chosen.uniform(0, 0.1))
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait()  # reaped: its runs now belong to a dead process
        seen.append(len(Queue.get_by_id(queue_id).trials()))
    return seen


def check_complete(queue: Queue, n_trials: int) -> None:
    """Exactly n_trials scored trials, no duplicates, and no trial or run left over."""
    queue = Queue.get_by_id(queue.id)
    trials = queue.trials()
    assert [trial.number for trial in trials] == list(range(n_trials))
    assert {trial.status for trial in trials} == {"complete"}, [t.message for t in trials]
    keys = {tuple(sorted(trial.parameters.items())) for trial in trials}
    assert len(keys) == n_trials  # no duplicate parameters
    combos = Hyperparamcombo.select_where(
        Hyperparamcombo.hyperparamset_id == queue.hyperparamset_id
    )
    assert sorted(combo.id for combo in combos) == sorted(t.hyperparamcombo_id for t in trials)
    runs = queue.runs
    assert len(runs) == queue.total_runs == n_trials  # one Job and run per trial, none orphaned
    assert {run.status for run in runs} == {"succeeded"}
    assert queue.runs_completed == n_trials
    predictors = queue.predictors
    assert sorted(p.run_id for p in predictors) == sorted(run.id for run in runs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_grid_search_killed_at_random_moments_ends_with_n_trials_and_no_duplicates(seed):
    search = Search("grid", GRID, n_trials=10, metric="loss")  # 12 points, 10 trials
    queue = Queue.from_algorithm(
        logistic_algorithm().id, iris_splitset().id, permute_count=0, search=search
    )
    counts = kill_while_searching(queue.id, kills=3, seed=seed, n_trials=10)
    assert counts and all(0 < count < 10 for count in counts)  # each kill was mid-search
    queue.run_jobs(progress=False)
    check_complete(queue, 10)
    grid = queue.search.build_sampler()
    assert [t.parameters for t in queue.trials()] == grid.points[:10]  # the grid's order


def test_a_tpe_search_killed_resumes_from_the_trials_stored():
    search = Search("tpe", C_SPACE, n_trials=12, seed=7, n_startup_trials=3)
    queue = Queue.from_algorithm(
        logistic_algorithm().id, iris_splitset().id, permute_count=0, search=search
    )
    counts = kill_while_searching(queue.id, kills=2, seed=11, n_trials=12)
    assert counts and all(0 < count < 12 for count in counts)
    before = {t.number: t.parameters for t in queue.trials() if t.status == "complete"}
    # what a resumed loop does first: a fresh sampler told every stored trial
    sampler = queue.search.build_sampler()
    tell(sampler, queue.trials(), set())
    assert len(sampler.study.trials) == len(before)
    assert sorted(t.value for t in sampler.study.trials) == sorted(
        t.score for t in queue.trials() if t.status == "complete"
    )
    queue.run_jobs(progress=False)
    check_complete(queue, 12)
    after = {t.number: t.parameters for t in queue.trials()}
    assert all(after[number] == parameters for number, parameters in before.items())
