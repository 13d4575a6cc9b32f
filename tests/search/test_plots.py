"""A search's figures hold the trials' data: history, parallel coordinates, importance."""

from __future__ import annotations

import math

import pytest

from assay.errors import InvalidArgument
from assay.orm import Queue
from assay.search import Search
from tests.search.helpers import diabetes_splitset, ridge_algorithm

SPACE = {
    "alpha": {"type": "float", "low": 0.01, "high": 1000.0, "steps": 6, "scale": "log"},
    "unused": {"type": "category", "values": ["a", "b"]},
}


@pytest.fixture
def searched() -> Queue:
    """A grid over Ridge's alpha and a parameter the model never reads, on diabetes."""
    search = Search("grid", SPACE, goal="minimize", metric="mse", split="validation")
    queue = Queue.from_algorithm(
        ridge_algorithm().id, diabetes_splitset().id, permute_count=0, search=search
    )
    queue.run_jobs(progress=False)
    return queue


def test_the_history_shows_each_score_and_the_best_so_far(searched):
    figure = searched.plot_search_history(call_display=False)
    scores, best = figure.data
    trials = searched.trials()
    assert list(scores.x) == [t.number for t in trials]
    assert list(scores.y) == [t.score for t in trials]
    running = [min(t.score for t in trials[: i + 1]) for i in range(len(trials))]
    assert list(best.y) == running


def test_parallel_coordinates_have_an_axis_per_parameter_and_the_score(searched):
    figure = searched.plot_search_parallel(call_display=False)
    dimensions = figure.data[0].dimensions
    assert [d.label for d in dimensions] == ["log10(alpha)", "unused", "mse"]
    trials = searched.trials()
    assert list(dimensions[0].values) == pytest.approx(
        [math.log10(t.parameters["alpha"]) for t in trials]
    )
    assert list(dimensions[1].values) == [["a", "b"].index(t.parameters["unused"]) for t in trials]
    assert list(dimensions[1].ticktext) == ["a", "b"]
    assert list(dimensions[2].values) == [t.score for t in trials]


def test_importance_finds_the_parameter_that_matters(searched):
    importance = searched.search_importance()
    assert list(importance) == ["alpha", "unused"]  # largest first
    assert sum(importance.values()) == pytest.approx(1.0)
    assert importance["alpha"] > 0.9
    figure = searched.plot_search_importance(call_display=False)
    bar = figure.data[0]
    assert list(bar.y) == ["unused", "alpha"]  # the most important on top
    assert list(bar.x) == [importance["unused"], importance["alpha"]]


def test_plots_need_scored_trials():
    search = Search("grid", SPACE, metric="mse")
    queue = Queue.from_algorithm(
        ridge_algorithm().id, diabetes_splitset().id, permute_count=0, search=search
    )
    with pytest.raises(InvalidArgument, match="at least 1 trial"):
        queue.plot_search_history(call_display=False)
    with pytest.raises(InvalidArgument, match="at least 2 trial"):
        queue.search_importance()
