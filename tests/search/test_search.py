"""Searches end to end: a Search recorded on a Queue, run trial by trial, scored, ranked."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from assay.errors import InvalidArgument
from assay.orm import (
    Hyperparamcombo,
    Hyperparamset,
    Job,
    Queue,
    QueueSearch,
    Run,
    Trial,
)
from assay.search import Sampler, Search, sampler_registry
from assay.search.executors import SerialExecutor
from assay.search.loop import run_search
from assay.store import reading
from tests.search.helpers import (
    C_SPACE,
    diabetes_splitset,
    iris_splitset,
    logistic_algorithm,
    ridge_algorithm,
)


def count(table) -> int:
    with reading() as db:
        return db.scalar(select(func.count()).select_from(table))


def row_counts() -> dict[str, int]:
    return {
        model.__name__: count(model)
        for model in (Queue, QueueSearch, Trial, Hyperparamset, Hyperparamcombo, Job, Run)
    }


# -- the Search itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"sampler": "annealing"}, "sampler"),
        ({"parameters": {"C": {"type": "float", "low": 1, "high": 0}}}, "parameters['C']"),
        ({"parameters": {}}, "parameters"),
        ({"goal": "lower"}, "goal"),
        ({"split": "holdout"}, "split"),
        ({"metric": 3}, "metric"),
        ({"n_trials": 0}, "n_trials"),
        ({"n_trials": 2.5}, "n_trials"),
        ({"n_trials": None}, "n_trials"),  # tpe never finishes by itself
        ({"sampler": "grid"}, "steps"),  # a float needs steps for a grid
        ({"colour": "red"}, "colour"),  # an option TPE does not take
    ],
)
def test_a_bad_search_is_refused_naming_the_argument(arguments, named):
    settings: dict[str, Any] = {"sampler": "tpe", "parameters": C_SPACE, "n_trials": 4}
    settings.update(arguments)
    with pytest.raises(InvalidArgument, match=named.replace("[", r"\[").replace("]", r"\]")):
        Search(**settings)


def test_a_search_keeps_the_seed_it_drew_so_that_a_resumed_search_is_the_same():
    search = Search("random", C_SPACE, n_trials=3)
    assert isinstance(search.options["seed"], int)
    first, second = search.build_sampler(), search.build_sampler()
    assert [first.sample() for _ in range(3)] == [second.sample() for _ in range(3)]


def test_a_finite_sampler_needs_no_n_trials():
    assert Search("grid", {"a": {"type": "category", "values": [1, 2]}}).n_trials is None
    assert Search("random", C_SPACE, num_samples=5).n_trials is None


# -- errors before anything is written -------------------------------------------------------


def test_a_search_that_does_not_fit_the_queue_writes_nothing():
    splitset = iris_splitset(size_validation=None)  # train and test only
    algorithm = logistic_algorithm()
    hyperparamset = Hyperparamset.from_algorithm(algorithm.id, {"C": [1.0]})
    before = row_counts()
    search = Search("tpe", C_SPACE, n_trials=3, seed=0)
    with pytest.raises(InvalidArgument, match="hyperparamset_id"):
        Queue.from_algorithm(
            algorithm.id, splitset.id, hyperparamset_id=hyperparamset.id, search=search
        )
    with pytest.raises(InvalidArgument, match=r"search\.metric.*'r2'"):
        Queue.from_algorithm(
            algorithm.id, splitset.id, search=Search("tpe", C_SPACE, metric="r2", n_trials=3)
        )
    with pytest.raises(InvalidArgument, match=r"split: .* has no validation split"):
        Queue.from_algorithm(algorithm.id, splitset.id, search=search)
    with pytest.raises(InvalidArgument, match=r"search must be an assay\.search\.Search"):
        Queue.from_algorithm(algorithm.id, splitset.id, search={"sampler": "tpe"})
    assert row_counts() == before


# -- running a search -----------------------------------------------------------------------


def test_tpe_over_iris_gives_n_trials_scored_trials_and_the_best_predictor(backend):
    splitset = iris_splitset()
    algorithm = logistic_algorithm()
    search = Search("tpe", C_SPACE, goal="minimize", metric="loss", n_trials=8, seed=3)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0, search=search)
    assert queue.jobs == [] and queue.total_runs == 0  # trials come as the search runs
    queue.run_jobs(progress=False)
    trials = queue.trials()
    assert [trial.number for trial in trials] == list(range(8))
    assert {trial.status for trial in trials} == {"complete"}
    assert Queue.get_by_id(queue.id).total_runs == len(queue.runs) == 8
    for trial in trials:
        assert 0.001 <= trial.parameters["C"] <= 10.0
        assert set(trial.metrics) == {"train", "validation", "test"}
        assert trial.score == trial.metrics["validation"]["loss"]
    best = min(trials, key=lambda trial: trial.score)
    predictor = queue.best_predictor()
    assert predictor.job.hyperparamcombo_id == best.hyperparamcombo_id
    # the defaults are the search's: a higher accuracy is still better when asked for it
    by_accuracy = queue.best_predictor(metric="accuracy")
    accuracies = {t.hyperparamcombo_id: t.metrics["validation"]["accuracy"] for t in trials}
    assert accuracies[by_accuracy.job.hyperparamcombo_id] == max(accuracies.values())


def test_results_are_returned_kept_in_the_trials_and_written_to_json():
    queue = Queue.from_algorithm(
        logistic_algorithm().id,
        iris_splitset().id,
        permute_count=0,
        search=Search("random", C_SPACE, n_trials=3, seed=1, metric="accuracy", goal="maximize"),
    )
    results = run_search(queue, SerialExecutor(), progress=False)
    assert results == queue.search_results()
    path = Path(queue.search.results_path)
    assert json.loads(path.read_text()) == results
    assert [set(result) for result in results] == [
        {"trial", "parameters", "score", "status", "metrics"}
    ] * 3
    assert all(result["score"] == result["metrics"]["validation"]["accuracy"] for result in results)
    frame = queue.trials_df()
    assert list(frame.columns) == ["number", "status", "score", "C", "max_iter"]
    assert frame["score"].tolist() == [result["score"] for result in results]


def test_a_grid_search_tries_the_same_combinations_as_a_hyperparamset_grid(backend):
    splitset = diabetes_splitset()
    algorithm = ridge_algorithm()
    alphas = [0.01, 1.0, 100.0]
    grid = Hyperparamset.from_algorithm(algorithm.id, {"alpha": alphas})
    plain = Queue.from_algorithm(
        algorithm.id, splitset.id, hyperparamset_id=grid.id, permute_count=0
    )
    plain.run_jobs(progress=False)
    search = Search(
        "grid",
        {"alpha": {"type": "category", "values": alphas}},
        goal="maximize",
        metric="r2",
        split="validation",
    )
    searched = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0, search=search)
    searched.run_jobs(progress=False)
    trials = searched.trials()
    assert [trial.parameters for trial in trials] == [{"alpha": alpha} for alpha in alphas]
    table = plain.metricsAggregate_df(
        split="validation", selected_metrics=["r2"], selected_stats=["mean"], hyperparameters=True
    )
    expected = dict(zip(table["alpha"], table["mean"], strict=True))
    assert {t.parameters["alpha"]: t.score for t in trials} == pytest.approx(expected)
    best = plain.best_predictor(metric="r2", split="validation")
    assert searched.best_predictor().job.hyperparameters() == best.job.hyperparameters()


def test_with_folds_a_trial_scores_the_mean_over_its_folds_and_repeats():
    splitset = iris_splitset(fold_count=3)
    search = Search(
        "grid",
        {"C": {"type": "category", "values": [0.01, 1.0]}},
        metric="accuracy",
        goal="maximize",
    )
    queue = Queue.from_algorithm(
        logistic_algorithm().id, splitset.id, repeat_count=2, permute_count=0, search=search
    )
    assert queue.search.split_name == "fold_validation"
    queue.run_jobs(progress=False)
    assert len(queue.runs) == 2 * 3 * 2 and len(queue.jobs) == 2 * 3
    frame = queue.metrics_df(split="fold_validation", selected_metrics=["accuracy"])
    for trial in queue.trials():
        models = frame[frame["hyperparamcombo_id"] == trial.hyperparamcombo_id]
        assert len(models) == 6 and models["fold_id"].nunique() == 3
        assert trial.score == pytest.approx(models["accuracy"].mean())


def test_the_executor_gets_batches_of_its_workers_never_past_n_trials():
    queue = Queue.from_algorithm(
        logistic_algorithm().id,
        iris_splitset().id,
        permute_count=0,
        search=Search("random", C_SPACE, n_trials=7, seed=2),
    )

    class ThreeAtOnce(SerialExecutor):
        workers = 3
        batches: list[int] = []

        def run_runs(self, queue, progress=True):
            self.batches.append(queue.status_counts()["queued"])
            return super().run_runs(queue, progress)

    results = run_search(queue, ThreeAtOnce(), progress=False)
    assert ThreeAtOnce.batches == [3, 3, 1]
    assert len(results) == 7 and Queue.get_by_id(queue.id).total_runs == 7


def test_a_failed_trial_scores_none_and_is_never_trained_again():
    # C above 1000 makes the build function raise (see helpers.logistic_build)
    search = Search(
        "grid", {"C": {"type": "category", "values": [1.0, 5000.0, 0.1, 0.5]}}, metric="loss"
    )
    queue = Queue.from_algorithm(
        logistic_algorithm().id, iris_splitset().id, permute_count=0, search=search
    )

    class TwoAtOnce(SerialExecutor):
        workers = 2

    results = run_search(queue, TwoAtOnce(), progress=False)
    assert [r["status"] for r in results] == ["complete", "failed", "complete", "complete"]
    failed = queue.trials()[1]
    assert failed.score is None and "C above 1000" in failed.message
    runs = Run.select_where(Run.job_id.in_([job.id for job in queue.jobs]))
    by_status = {
        run.status for run in runs if run.job.hyperparamcombo_id == failed.hyperparamcombo_id
    }
    assert by_status == {"abandoned"}
    assert queue.status_counts()["succeeded"] == 3
    # the failed trial's run was tried once: the second batch did not train it again
    abandoned = next(run for run in runs if run.status == "abandoned")
    assert abandoned.time_ended < min(r.time_started for r in runs if r.job_id > abandoned.job_id)
    assert queue.best_predictor().job.hyperparameters()["C"] != 5000.0
    queue.run_jobs(progress=False)  # nothing left: no new trial, no retry
    assert queue.status_counts()["abandoned"] == 1 and len(queue.trials()) == 4


class ReversedGrid(Sampler):
    """A user's own sampler: a category's values from the last to the first."""

    def __init__(self, goal, parameters, start=None):
        super().__init__(goal, parameters)
        (self.name, parameter), *_ = self.parameters.items()
        self.left = list(parameter.values)[::-1]
        self.seen: list[tuple] = []

    def sample(self):
        self.check_not_finished()
        return {self.name: self.left.pop(0)}

    def finished(self):
        return not self.left

    def update(self, sampled_parameters, metric_score):
        self.seen.append(self.check_result(sampled_parameters, metric_score))

    def __len__(self):
        return len(self.parameters[self.name].values)


def test_a_users_own_registered_sampler_works_through_search():
    sampler_registry["reversed"] = ReversedGrid
    try:
        values = [0.01, 0.1, 1.0]
        search = Search("reversed", {"C": {"type": "category", "values": values}}, metric="loss")
        assert search.sampler_name == "reversed" and search.n_trials is None
        queue = Queue.from_algorithm(
            logistic_algorithm().id, iris_splitset().id, permute_count=0, search=search
        )
        queue.run_jobs(progress=False)
        assert queue.search.sampler == "reversed"
        assert [t.parameters["C"] for t in queue.trials()] == values[::-1]
        assert all(t.status == "complete" for t in queue.trials())
    finally:
        del sampler_registry["reversed"]


def test_a_sampler_given_built_is_rebuilt_fresh_from_the_metastore():
    values = [0.5, 2.0]
    built = ReversedGrid("minimize", {"C": {"type": "category", "values": values}})
    queue = Queue.from_algorithm(
        logistic_algorithm().id, iris_splitset().id, permute_count=0, search=Search(built)
    )
    fresh = queue.search.build_sampler()
    assert isinstance(fresh, ReversedGrid) and fresh.left == values[::-1]
    queue.run_jobs(progress=False)
    assert [t.parameters["C"] for t in queue.trials()] == values[::-1]


def test_refit_after_a_cross_validated_search_uses_the_search_ranking():
    search = Search(
        "grid",
        {"C": {"type": "category", "values": [0.001, 1.0]}},
        metric="accuracy",
        goal="maximize",
    )
    queue = Queue.from_algorithm(
        logistic_algorithm().id,
        iris_splitset(fold_count=3).id,
        permute_count=0,
        refit=True,
        search=search,
    )
    queue.run_jobs(progress=False)
    best = max(queue.trials(), key=lambda trial: trial.score)
    refit = queue.best_predictor()
    assert refit.job.fold_id is None
    assert refit.job.hyperparamcombo_id == best.hyperparamcombo_id
    assert len(queue.trials()) == 2  # the refit is not a trial


def test_deleting_a_search_queue_deletes_its_search_trials_and_combinations(backend):
    algorithm = logistic_algorithm()
    splitset = iris_splitset()
    before = row_counts()
    queue = Queue.from_algorithm(
        algorithm.id,
        splitset.id,
        permute_count=0,
        search=Search("random", C_SPACE, n_trials=2, seed=0),
    )
    counts = queue.delete()  # not run yet: nothing is built on it
    assert counts["QueueSearch"] == 1 and counts["Hyperparamset"] == 1
    assert row_counts() == before
    queue = Queue.from_algorithm(
        algorithm.id,
        splitset.id,
        permute_count=0,
        search=Search("random", C_SPACE, n_trials=2, seed=0),
    )
    queue.run_jobs(progress=False)
    counts = queue.delete(cascade=True)
    assert counts["Trial"] == 2 and counts["Hyperparamcombo"] == 2 and counts["Predictor"] == 2
    assert row_counts() == before


def test_plain_queues_have_no_trials_and_no_search_plots():
    algorithm = logistic_algorithm()
    queue = Queue.from_algorithm(algorithm.id, iris_splitset().id, permute_count=0)
    assert queue.trials() == [] and queue.search is None
    with pytest.raises(InvalidArgument, match="without a search"):
        queue.plot_search_history(call_display=False)
    with pytest.raises(InvalidArgument, match="without a search"):
        run_search(queue, SerialExecutor(), progress=False)


def test_no_trial_score_is_nan_in_the_metastore():
    queue = Queue.from_algorithm(
        logistic_algorithm().id,
        iris_splitset().id,
        permute_count=0,
        search=Search("random", C_SPACE, n_trials=2, seed=5),
    )
    queue.run_jobs(progress=False)
    for trial in queue.trials():
        values = [v for split in trial.metrics.values() for v in split.values()]
        assert all(v is None or math.isfinite(v) for v in values)
        assert np.isfinite(trial.score)


def test_a_search_stores_plain_specs_and_refuses_options_it_cannot_store():
    search = Search(
        "grid",
        {
            "C": {"type": "category", "values": [np.float64(0.5), 2]},
            "n": {"type": "int", "low": np.int64(1), "high": 3, "steps": 3, "scale": "linear"},
        },
    )
    assert search.parameters == {
        "C": {"type": "category", "values": [0.5, 2]},
        "n": {"type": "int", "low": 1, "high": 3, "steps": 3},
    }
    assert type(search.parameters["C"]["values"][0]) is float
    with pytest.raises(InvalidArgument, match="options: a search stores"):
        Search(ReversedGrid, {"C": {"type": "category", "values": [1.0]}}, start=lambda: 0)
