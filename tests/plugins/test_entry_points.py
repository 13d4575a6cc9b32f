"""An installed package extends every registry through entry points, and assay uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from assay.errors import InvalidArgument
from assay.integrations import load_integrations
from assay.orm import Algorithm, Hyperparamset, Queue
from assay.plugins import PLUG_IN, PluginWarning, entries, failures, reload_plugins
from assay.registry.formats import format_ids, get_format
from assay.search import Search, get_sampler, sampler_registry
from assay.train.adapters import LIBRARIES, get_adapter
from tests.plugins.conftest import uninstall
from tests.plugins.helpers import iris_rows, iris_splitset
from tests.plugins.installed import install_example_plugin

ORIGIN = "assay-example-plugin 0.1.0 (assay_example_plugin:{})"


def test_each_registry_lists_the_plug_in_s_entry_and_where_it_comes_from(example_plugin):
    found = {(row.group, row.name): row for row in entries()}
    for group, name, target in [
        ("assay.libraries", "numpy-ridge", "RidgeAdapter"),
        ("assay.samplers", "reversed_grid", "ReversedGridSampler"),
        ("assay.executors", "newest_first", "NewestFirstExecutor"),
        ("assay.formats", "npz", "NpzFormat"),
        ("assay.integrations", "jsonl", "JsonLinesIntegration"),
    ]:
        row = found[(group, name)]
        assert row.origin.kind == PLUG_IN and row.origin.where == ORIGIN.format(target)
    assert found[("assay.samplers", "grid")].origin.where == "assay.search.samplers.grid"
    assert "numpy-ridge" in LIBRARIES and "npz" in format_ids()


def test_the_plug_in_s_library_sampler_executor_format_and_integration_do_the_work(
    example_plugin, tmp_path
):
    from assay_example_plugin import ridge_build, ridge_train

    splitset = iris_splitset(one_hot=True)
    algorithm = Algorithm.make("numpy-ridge", "classification_multi", ridge_build, ridge_train)
    alphas = {"alpha": {"type": "float", "low": 0.1, "high": 10.0, "steps": 3, "scale": "log"}}
    search = Search("reversed_grid", alphas, metric="loss", split="validation")
    searched = Queue.from_algorithm(algorithm.id, splitset.id, permute_count=0, search=search)
    hooks = tmp_path / "hooks.jsonl"
    with load_integrations(["jsonl"], path=str(hooks)).active():
        searched.run_jobs(progress=False)
    searched = Queue.get_by_id(searched.id)
    # The plug-in's sampler chose the trials: the grid, last point first.
    assert [trial.parameters["alpha"] for trial in searched.trials()] == pytest.approx([10, 1, 0.1])
    assert all(trial.status == "complete" for trial in searched.trials())
    # The plug-in's integration heard every run.
    lines = [json.loads(line) for line in hooks.read_text().splitlines()]
    assert [line["hook"] for line in lines] == ["train_init", "train_end"] * 3
    assert {line["run_id"] for line in lines} == {run.id for run in searched.runs}
    # The plug-in's library trained models that predict raw rows.
    predictor = searched.best_predictor()
    assert predictor.library == "numpy-ridge"
    predicted = predictor.predict(iris_rows())
    assert predicted["target"].isin([0, 1, 2]).all()
    assert (predicted["target"] == np.arange(0, 150, 10) // 50).mean() >= 0.8
    # The plug-in's format exported it, after its parity check, and reads it back.
    path = tmp_path / "model.npz"
    get_format("npz").export(predictor, path)
    get_format("npz").validate(path)
    assert get_format("npz").load(path)["weights"].shape == (5, 3)
    with pytest.raises(InvalidArgument, match="format 'npz'"):
        get_format("npz").validate(tmp_path / "hooks.jsonl")


def test_the_plug_in_s_executor_trains_the_newest_runs_first(example_plugin):
    from assay_example_plugin import ridge_build, ridge_train

    splitset = iris_splitset(one_hot=True)
    algorithm = Algorithm.make("numpy-ridge", "classification_multi", ridge_build, ridge_train)
    grid = Hyperparamset.from_algorithm(algorithm.id, {"alpha": [0.1, 1.0, 10.0]})
    queue = Queue.from_algorithm(
        algorithm.id, splitset.id, permute_count=0, hyperparamset_id=grid.id
    )
    queue.run_jobs(progress=False, executor="newest_first")
    runs = Queue.get_by_id(queue.id).runs
    assert all(run.status == "succeeded" for run in runs)
    by_start = sorted(runs, key=lambda run: run.time_started)
    assert [run.id for run in by_start] == sorted((run.id for run in runs), reverse=True)


def test_workers_of_the_parallel_executor_report_to_the_plug_in_s_integration(
    example_plugin, tmp_path, monkeypatch
):
    from tests.search.iris_queues import iris_queues

    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(example_plugin), path])))
    (queue,) = iris_queues()
    hooks = tmp_path / "hooks.jsonl"
    with load_integrations(["jsonl"], path=str(hooks)).active():
        queue.run_jobs(progress=False, executor="parallel", max_workers=1)
    runs = Queue.get_by_id(queue.id).runs
    assert {run.pid for run in runs} != {os.getpid()}  # trained by a worker
    lines = [json.loads(line) for line in hooks.read_text().splitlines()]
    ended = {line["run_id"]: line["status"] for line in lines if line["hook"] == "train_end"}
    assert ended == {run.id: "succeeded" for run in runs}


def test_a_broken_plug_in_or_one_taking_a_built_in_name_only_warns(tmp_path):
    site = install_example_plugin(
        tmp_path / "site",
        {
            "assay.samplers": {
                "grid": "assay_example_plugin:ReversedGridSampler",
                "gone": "nowhere:X",
            }
        },
    )
    sys.path.insert(0, str(site))
    try:
        with pytest.warns(PluginWarning) as caught:
            reload_plugins()
        messages = " ".join(str(warning.message) for warning in caught)
        assert "'grid', which is taken by built-in: assay.search.samplers.grid" in messages
        assert "failed to load as sampler 'gone': ModuleNotFoundError" in messages
        assert set(failures()["assay.samplers"]) == {"grid", "gone"}
        assert (
            type(
                get_sampler(
                    "grid", "minimize", {"a": {"type": "int", "low": 1, "high": 2, "steps": 2}}
                )
            ).__module__
            == "assay.search.samplers.grid"
        )
        assert "reversed_grid" in sampler_registry
    finally:
        uninstall(site)
    assert "reversed_grid" not in sampler_registry and "numpy-ridge" not in LIBRARIES
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert failures() == {}


def test_assay_plugins_lists_an_installed_package_in_a_fresh_process(tmp_path):
    site = install_example_plugin(tmp_path / "site")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.getcwd()])}
    out = subprocess.run(
        [sys.executable, "-m", "assay.cli", "plugins"],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout
    assert "assay.libraries (library, 5)" in out
    rows = {tuple(line.split(maxsplit=2)) for line in out.splitlines() if line.startswith("  ")}
    assert ("numpy-ridge", "plug-in", ORIGIN.format("RidgeAdapter")) in rows
    assert ("grid", "built-in", "assay.search.samplers.grid") in rows
    assert ("jsonl", "plug-in", ORIGIN.format("JsonLinesIntegration")) in rows


def test_an_unknown_library_names_the_plug_ins_too(example_plugin):
    with pytest.raises(InvalidArgument, match=r"library must be one of \[.*'numpy-ridge'\]"):
        get_adapter("caffe")


def test_the_conformance_checks_pass_for_the_plug_in_s_entries(example_plugin, tmp_path):
    # Where the package is installed for good, the suite is parametrized with its entries
    # when collected; here the same checks run on them directly.
    from tests.plugins import test_conformance as suite

    suite.test_library_trains_evaluates_and_predicts_raw_rows("numpy-ridge")
    suite.test_sampler_samples_the_space_and_takes_scores("reversed_grid")
    suite.test_sampler_drives_a_search_of_a_few_trials("reversed_grid")
    suite.test_executor_runs_a_grid_search_as_the_serial_one_does("newest_first")
    suite.test_format_exports_with_its_parity_check_and_validates_its_files("npz", tmp_path)
