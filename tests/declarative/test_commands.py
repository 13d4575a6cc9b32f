"""The declarative commands end to end: files written, rows recorded, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assay.cli import app
from assay.integrations import Integration, integration_registry
from assay.orm import Prediction, Queue
from tests.declarative.conftest import config

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def write_config(folder: Path, **changes) -> Path:
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(config(**changes)))
    return path


class Recorder(Integration):
    """Remembers every hook call, to see what the commands report."""

    calls: list[tuple[str, dict]] = []

    def experiment(self, **kwargs):
        self.calls.append(("experiment", kwargs))

    def train_epoch_end(self, **kwargs):
        self.calls.append(("train_epoch_end", kwargs))

    def predict_end(self, **kwargs):
        self.calls.append(("predict_end", kwargs))

    def visualize_figure(self, **kwargs):
        self.calls.append(("visualize_figure", kwargs))


@pytest.fixture
def recorder():
    integration_registry["recorder"] = Recorder
    Recorder.calls = []
    yield Recorder.calls
    del integration_registry["recorder"]


def test_experiment_then_predict_evaluate_and_visualize(tmp_path, mixed_csv, recorder):
    exp = write_config(tmp_path)
    out = tmp_path / "out"
    result = invoke(
        "experiment",
        "--config",
        exp,
        "--dataset",
        mixed_csv,
        "--output-dir",
        out,
        "--figure-format",
        "html",
        "--integration",
        "recorder",
    )
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.output and "validation" in result.output
    assert "Predictor 1 (Queue 1)" in result.output
    files = {path.name for path in out.iterdir()}
    assert {
        "config.yaml",
        "metrics.json",
        "history.json",
        "predictions_train.csv",
        "predictions_validation.csv",
        "predictions_test.csv",
        "learning_curves.html",
        "confusion_matrix.html",
        "roc.html",
    } <= files
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics == Queue.get_by_id(1).predictors[0].predictions[0].metrics
    assert yaml.safe_load((out / "config.yaml").read_text())["trainer"]["optimizer"] == "adam"
    hooks = [name for name, _ in recorder]
    assert hooks.count("train_epoch_end") == 4 and hooks.count("visualize_figure") == 3
    assert hooks[0] == "experiment" and "predict_end" in hooks
    assert dict(recorder)["experiment"]["config"]["trainer"]["epochs"] == 4

    result = invoke("predict", "--model", "1", "--dataset", mixed_csv, "-o", tmp_path / "new")
    assert result.exit_code == 0, result.output
    assert "150 predictions" in result.output
    lines = (tmp_path / "new" / "predictions.csv").read_text().splitlines()
    assert lines[0].startswith("sample,species,p_setosa") and len(lines) == 151

    result = invoke("evaluate", "-m", "1", "-d", mixed_csv, "-o", tmp_path / "check")
    assert result.exit_code == 0, result.output
    scored = json.loads((tmp_path / "check" / "metrics.json").read_text())
    assert list(scored) == ["infer_1"] and scored["infer_1"]["accuracy"] > 0.5
    assert len(Prediction.select_where()) == 3  # training, predict, evaluate

    for kind in ("learning_curves", "compare_performance"):  # the others are drawn above
        result = invoke(
            "visualize",
            "--kind",
            kind,
            "-m",
            "1",
            "-o",
            tmp_path / "figures",
            "--figure-format",
            "html",
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / "figures" / f"{kind}.html").stat().st_size > 1000


def test_a_registered_model_is_found_by_name_and_version(tmp_path, mixed_csv):
    assert (
        invoke(
            "train", "-c", write_config(tmp_path), "-d", mixed_csv, "-o", tmp_path / "t"
        ).exit_code
        == 0
    )
    assert json.loads((tmp_path / "t" / "model.json").read_text()) == {
        "predictor_id": 1,
        "queue_id": 1,
    }
    Queue.get_by_id(1).predictors[0].register("flowers")
    for model in ("flowers", "flowers@1"):
        result = invoke("predict", "-m", model, "-d", mixed_csv, "-o", tmp_path / model)
        assert result.exit_code == 0, result.output
    result = invoke("predict", "-m", "flowers@7", "-d", mixed_csv)
    assert result.exit_code == 1 and "--model 'flowers@7'" in result.output


def test_hyperopt_runs_a_small_grid(tmp_path, mixed_csv):
    exp = write_config(
        tmp_path,
        trainer={"epochs": 2, "batch_size": 32},
        hyperopt={
            "parameters": {
                "trainer.learning_rate": {"type": "category", "values": [0.01, 0.1]},
                "note.encoder.cell_type": {"type": "category", "values": ["gru", "lstm"]},
            },
            "metric": "accuracy",
            "goal": "maximize",
        },
    )
    result = invoke("hyperopt", "-c", exp, "-d", mixed_csv, "-o", tmp_path / "search")
    assert result.exit_code == 0, result.output
    assert "4 trials (Queue 1)" in result.output and "Best: Predictor" in result.output
    trials = json.loads((tmp_path / "search" / "hyperopt_statistics.json").read_text())
    assert sorted(
        (t["parameters"]["trainer.learning_rate"], t["parameters"]["note.encoder.cell_type"])
        for t in trials
    ) == [(0.01, "gru"), (0.01, "lstm"), (0.1, "gru"), (0.1, "lstm")]
    models = Queue.get_by_id(1).predictors
    cells = {p.get_model().encoders[3].recurrent.mode for p in models}
    assert cells == {"GRU", "LSTM"}  # each trial's model was built with its own values


def test_bad_input_exits_with_one_line_and_writes_nothing(tmp_path, mixed_csv):
    exp = write_config(tmp_path)
    bad_key = tmp_path / "bad.yaml"
    bad_key.write_text(
        "input_features: [{name: a, type: numerical, encodr: dense}]\noutput_features: [{name: species, type: category}]\n"
    )
    cases = [
        (("experiment", "-c", tmp_path / "none.yaml", "-d", mixed_csv), "config: no such file"),
        (("experiment", "-c", bad_key, "-d", mixed_csv), "input_features[0].encodr: unknown key"),
        (("train", "-c", exp, "-d", tmp_path / "none.csv"), "dataset: no such file"),
        (
            ("experiment", "-c", exp, "-d", mixed_csv, "--figure-format", "gif"),
            "--figure-format must be one of",
        ),
        (("hyperopt", "-c", exp, "-d", mixed_csv), "has no hyperopt section"),
        (
            ("experiment", "-c", exp, "-d", mixed_csv, "--integration", "nope"),
            "integration must be",
        ),
        (("predict", "-m", "5", "-d", mixed_csv), "--model '5'"),
        (("evaluate", "-m", "unregistered", "-d", mixed_csv), "--model 'unregistered'"),
        (("visualize", "--kind", "pie", "-m", "1"), "--kind must be one of"),
    ]
    for args, expected in cases:
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1 and expected in errors[0], result.output
        assert "Traceback" not in result.output
    assert Queue.select_where() == []
    assert invoke("experiment", "-c", exp).exit_code == 2  # --dataset is required


def test_every_command_has_help_with_examples():
    for command in ("experiment", "train", "predict", "evaluate", "hyperopt", "visualize"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Examples:" in result.output
        assert f"assay {command} " in result.output


@pytest.mark.slow
def test_the_command_runs_from_a_shell(tmp_path, mixed_csv):
    exp = write_config(tmp_path, trainer={"epochs": 2})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "assay.cli",
            "experiment",
            "-c",
            str(exp),
            "-d",
            str(mixed_csv),
            "-o",
            str(tmp_path / "shell"),
            "--figure-format",
            "html",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Training Queue 1" in done.stderr and "run/s" in done.stderr  # progress on stderr
    assert (tmp_path / "shell" / "metrics.json").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "assay.cli", "train", "-c", str(exp), "-d", "missing.csv"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert bad.returncode == 1 and bad.stderr.strip().splitlines()[-1].startswith("Error: dataset")
    assert "Traceback" not in bad.stderr


def test_tensorboard_reads_back_every_epoch_of_a_declarative_run(tmp_path, mixed_csv):
    pytest.importorskip("tensorboard", reason="pip install 'assay[integrations]' for TensorBoard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    result = invoke(
        "train",
        "-c",
        write_config(tmp_path),
        "-d",
        mixed_csv,
        "-o",
        tmp_path / "t",
        "--integration",
        "tensorboard",
        "--integration-option",
        f"tensorboard.log_dir={json.dumps(str(tmp_path / 'tb'))}",
    )
    assert result.exit_code == 0, result.output
    predictor = Queue.get_by_id(1).predictors[0]
    events = EventAccumulator(str(tmp_path / "tb" / f"run-{predictor.run_id}"))
    events.Reload()
    val_loss = events.Scalars("val_loss")
    assert [event.step for event in val_loss] == [0, 1, 2, 3]
    assert [e.value for e in val_loss] == pytest.approx(predictor.history["val_loss"], rel=1e-6)


@pytest.mark.slow
def test_figures_render_to_png(tmp_path, mixed_csv, chromium, monkeypatch):
    monkeypatch.chdir(tmp_path)  # train writes to results/ under the working folder
    assert (
        invoke(
            "train", "-c", write_config(tmp_path, trainer={"epochs": 2}), "-d", mixed_csv
        ).exit_code
        == 0
    )
    result = invoke("visualize", "--kind", "roc", "-m", "1", "-o", tmp_path / "png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "png" / "roc.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
