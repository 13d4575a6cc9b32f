"""The registry benchmark's assay half runs its workload, and runs alone where MLflow is missing.

Small sizes only: this checks that the benchmark works, not how fast anything is.
"""

import json
import re
from pathlib import Path

from assay.registry import Registry
from bench.registry import OPERATIONS, assay_workload, run, write_workload


def test_the_assay_half_does_the_whole_workload(tmp_path):
    spec = write_workload(tmp_path, versions=3, size=5_000, models=10, matches=2)
    assert json.loads((tmp_path / "workload.json").read_text()) == spec
    pickles = [Path(path).read_bytes() for path in spec["pickles"]]
    assert len(set(pickles)) == 3 and all(len(data) > 4_000 for data in pickles)

    seconds = assay_workload(tmp_path, tmp_path / "work")

    assert list(seconds) == list(OPERATIONS) and all(value > 0 for value in seconds.values())
    registry = Registry()
    model = registry.model("churn")
    assert [(v.version, v.tags) for v in model.versions] == [(n, ["validated"]) for n in (1, 2, 3)]
    assert len(registry.models()) == 11
    assert [m.name for m in registry.models(tags=["needle"])] == ["model-00000", "model-00005"]
    for number, data in enumerate(pickles, start=1):
        assert (tmp_path / "work" / "assay-downloads" / f"churn-v{number}.pkl").read_bytes() == data


def test_without_mlflow_it_says_how_to_install_it_and_reports_assay_alone(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("ASSAY_BENCH_MLFLOW_VENV", str(tmp_path / "no-venv"))

    figures = run(versions=2, size=5_000, models=4, matches=2, rounds=1)

    assert figures["mlflow"] is None and list(figures["assay"]) == list(OPERATIONS)
    out = capsys.readouterr().out
    assert f"no virtual environment at {tmp_path / 'no-venv'}" in out
    assert "pip install mlflow==3.17.2 scikit-learn" in out
    table = out.split("Model registry:")[1].splitlines()[1:]
    assert re.match(r"  create a model and 2 versions, one \d kB pickle each +assay +\d", table[0])
    assert len(table) == len(OPERATIONS) and not any("mlflow" in line for line in table)
