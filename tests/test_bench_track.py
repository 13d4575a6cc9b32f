"""The tracking benchmark's assay half writes every epoch, and runs alone where MLflow is missing.

Small sizes only: this checks that the benchmark works, not how fast anything is.
"""

import json

from assay.orm.run import Run
from bench.track import assay_workload, run


def test_the_assay_half_writes_every_epoch_of_every_run(tmp_path):
    (tmp_path / "spec.json").write_text(json.dumps({"runs": 2, "steps": 3, "metrics": 4}))

    seconds = assay_workload(tmp_path)

    assert set(seconds) == {"each_epoch", "live"} and all(v > 0 for v in seconds.values())
    for run_id in (1, 2):
        history = Run.get_by_id(run_id).history()
        assert sorted(history) == [f"metric_{index}" for index in range(4)]
        assert history["metric_1"] == [1.0, 1.01, 1.02]


def test_without_mlflow_it_reports_assay_alone(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSAY_BENCH_MLFLOW_VENV", str(tmp_path / "no-venv"))

    figures = run(runs=2, steps=2, metrics=2, install=False)

    assert figures["mlflow"] is None and set(figures["assay"]) == {"each_epoch", "live"}
    out = capsys.readouterr().out
    assert "2 runs x 2 epochs x 2 metrics" in out
    assert "assay, each epoch written at once" in out and "mlflow, log_batch" not in out
