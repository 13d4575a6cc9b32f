"""One suite for every registered model library, sampler, executor and model format.

Parametrized over the registries as they are when the tests are collected, plug-ins
included: an installed package's library, sampler, executor or format is checked exactly as
assay's own. Each check is small (iris, a few trials, a grid of three) so the suite stays fast.
"""

from __future__ import annotations

import importlib.util
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from assay.errors import InvalidArgument, MissingDependency
from assay.mlops import Architecture, Experiment, Trainer
from assay.orm import Algorithm, Queue
from assay.registry.formats import format_registry, get_format
from assay.registry.formats.portable import PortableModel
from assay.search import Sampler, Search, executor_registry, get_sampler, sampler_registry
from assay.train.adapters import get_adapter, library_registry
from tests.conftest import skip_unless
from tests.plugins.helpers import iris_rows, iris_splitset

SPACE = {
    "lr": {"type": "float", "low": 0.001, "high": 0.1, "steps": 3, "scale": "log"},
    "layers": {"type": "int", "low": 2, "high": 6, "steps": 3},
    "cell": {"type": "category", "values": ["gru", "lstm"]},
}
#: Options that keep the built-in executors small here; a plug-in's is built with defaults.
EXECUTOR_OPTIONS = {"parallel": {"max_workers": 1}, "dask": {"n_workers": 1}}
#: The package each built-in needs, skipped (with how to install it) where it is missing.
NEEDS = {"keras": "keras", "xgboost": "xgboost", "pytorch": "torch", "dask": "distributed"}
#: The system component a built-in format needs, and the variable under which CI requires it.
FORMAT_REQUIRES = {"pmml": "ASSAY_REQUIRE_JAVA", "rda": "ASSAY_REQUIRE_R"}


def missing_for_format(format_id: str, exc: MissingDependency) -> None:
    """Skip a format whose runtime is missing here; fail where CI requires that runtime."""
    how_to_enable = f"format {format_id!r} needs what is not installed here: {exc}"
    if format_id not in FORMAT_REQUIRES:  # a plug-in's format: no variable requires it
        pytest.skip(how_to_enable)
    skip_unless(False, how_to_enable, FORMAT_REQUIRES[format_id])


def needs(name: str) -> None:
    """Skip a built-in whose library is not installed (found, not imported: Keras picks its
    backend on first import, which assay does)."""
    if name in NEEDS and importlib.util.find_spec(NEEDS[name]) is None:
        pytest.skip(f"pip install 'assay[all]' for {name}")


def train(library: str):
    """A Predictor of ``library``'s own example classifier on iris."""
    example = get_adapter(library).example()
    assert example is not None, (
        f"library {library!r} gives no Adapter.example(); return an "
        "assay.train.adapters.examples.Example so that it can be checked."
    )
    queue = Experiment(
        Architecture(library, "classification_multi", example.fn_build, example.fn_train),
        Trainer(iris_splitset(one_hot=example.one_hot_label), permute_count=0),
    )
    queue.run_jobs(progress=False)
    (run,) = queue.runs
    assert run.status == "succeeded", run.traceback
    return queue.predictors[0]


# -- model libraries -----------------------------------------------------------------------


@pytest.mark.parametrize("library", library_registry.names())
def test_library_trains_evaluates_and_predicts_raw_rows(library):
    needs(library)
    predictor = train(library)
    assert predictor.library == library
    (prediction,) = predictor.predictions
    for split in ("train", "validation", "test"):
        assert 0.0 <= prediction.metrics[split]["accuracy"] <= 1.0
        assert math.isfinite(prediction.metrics[split]["loss"])
    rows = iris_rows()
    predicted = predictor.predict(rows)
    assert len(predicted) == len(rows) and set(predicted["target"]) <= {0, 1, 2}
    probabilities = predicted[["p_0", "p_1", "p_2"]].to_numpy()
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    # Saved, loaded in a fresh object and predicting the same: what serving and pkl rely on.
    pd.testing.assert_frame_equal(PortableModel.of_predictor(predictor.id).predict(rows), predicted)


# -- samplers ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sampler_registry.names())
def test_sampler_samples_the_space_and_takes_scores(name):
    sampler = get_sampler(name, "minimize", SPACE)
    assert isinstance(sampler, Sampler) and sampler.goal == "minimize"
    tried = []
    while len(tried) < 6 and not sampler.finished():
        batch = sampler.sample_batch(2)
        assert 1 <= len(batch) <= 2
        for point in batch:
            assert set(point) == set(SPACE) and point["cell"] in ("gru", "lstm")
            assert 0.001 <= point["lr"] <= 0.1 and 2 <= point["layers"] <= 6
        sampler.update_batch([(point, point["lr"] * point["layers"]) for point in batch])
        tried += batch
    assert tried
    with pytest.raises(InvalidArgument):
        sampler.update({"lr": 0.01}, 1.0)  # a point outside the space


@pytest.mark.parametrize("name", sampler_registry.names())
def test_sampler_drives_a_search_of_a_few_trials(name):
    from tests.search.iris_queues import iris_splitset as plain_iris
    from tests.search.iris_queues import logistic_build, logistic_train

    algorithm = Algorithm.make("sklearn", "classification_multi", logistic_build, logistic_train)
    space = {"C": {"type": "float", "low": 0.1, "high": 10.0, "steps": 3, "scale": "log"}}
    search = Search(name, space, n_trials=3, metric="loss", split="validation")
    queue = Queue.from_algorithm(algorithm.id, plain_iris().id, permute_count=0, search=search)
    queue.run_jobs(progress=False)
    trials = Queue.get_by_id(queue.id).trials()
    assert 1 <= len(trials) <= 3
    assert all(trial.status == "complete" and trial.score is not None for trial in trials)
    assert all(0.1 <= trial.parameters["C"] <= 10.0 for trial in trials)


# -- executors -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", executor_registry.names())
def test_executor_runs_a_grid_search_as_the_serial_one_does(name):
    from tests.search.iris_queues import assert_trained_once, iris_queues, metrics_by_combination

    needs(name)
    serial, other = iris_queues(count=2)
    serial.run_jobs(progress=False)
    other.run_jobs(progress=False, executor=name, **EXECUTOR_OPTIONS.get(name, {}))
    assert_trained_once(other)
    pd.testing.assert_frame_equal(metrics_by_combination(serial), metrics_by_combination(other))


# -- model formats -------------------------------------------------------------------------


@pytest.mark.parametrize("format_id", format_registry.names())
def test_format_exports_with_its_parity_check_and_validates_its_files(format_id, tmp_path):
    model_format = get_format(format_id)
    assert model_format.id == format_id and model_format.description
    assert model_format.suffix.startswith(".")
    stranger = tmp_path / f"stranger{model_format.suffix}"
    stranger.write_bytes(b"these bytes are no model of any format\n" * 4)
    with pytest.raises(InvalidArgument):
        model_format.validate(stranger)
    libraries = [
        library
        for library in ["sklearn", *library_registry.names()]
        if model_format.can_export(SimpleNamespace(library=library))
    ]
    if not libraries:
        with pytest.raises(InvalidArgument, match=repr(format_id)):
            model_format.export(train("sklearn"), tmp_path / f"model{model_format.suffix}")
        return
    needs(libraries[0])
    predictor = train(libraries[0])
    path = tmp_path / f"model{model_format.suffix}"
    try:
        model_format.export(predictor, path)  # refused unless its outputs match the model's
    except MissingDependency as exc:
        missing_for_format(format_id, exc)
    model_format.validate(path)
    try:
        loaded = model_format.load(path)
    except InvalidArgument:
        return  # a format assay cannot load in Python
    except MissingDependency as exc:
        missing_for_format(format_id, exc)
    assert loaded is not None
