"""Live training history: assay's epoch writes against MLflow's ``log_batch``, in one run.

100 runs x 100 steps x 5 metrics, each side in a fresh process on a SQLite file of its own
(WAL, as each configures it). A step is one training epoch with its 5 metrics:

- MLflow (``MLFLOW_VERSION``, in its own virtual environment, see ``bench.registry``): one
  ``MlflowClient.log_batch`` call per step, the cheapest way it logs an epoch's metrics;
- assay, "each epoch written at once": the adapters' live path (``report_epoch`` into the
  executor's ``EpochRecorder``), flushed after every epoch: one transaction per epoch, as
  MLflow's, so every epoch is readable as soon as it ends;
- assay, "live recording as runs do it": the same with the recorder's own batching (at most
  one write a second), which is what a training run does.

Target: assay at least ``TARGET`` times MLflow's throughput with each epoch written at once.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.registry import MLFLOW_VERSION, assay_half, mlflow_half, mlflow_python, mlflow_venv

RUNS, STEPS, METRICS = 100, 100, 5
TARGET = 10.0


def make_runs(count: int) -> list[int]:
    """A real Queue of ``count`` runs (one Job repeated) on iris; their ids."""
    from sklearn.datasets import load_iris

    from assay.orm import Algorithm, Dataset, Feature, Label, Queue, Splitset

    dataset = Dataset.Tabular.from_df(load_iris(as_frame=True).frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2)
    algorithm = Algorithm.make("sklearn", "classification_multi", _build, _train)
    queue = Queue.from_algorithm(algorithm.id, splitset.id, repeat_count=count, permute_count=0)
    return [run.id for run in queue.runs]


def _build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()


def _train(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    return model.fit(train_x, train_y.ravel())


def write_epochs(run_ids: list[int], steps: int, metrics: int, each_epoch: bool) -> float:
    """Seconds to report ``steps`` epochs of ``metrics`` values for each run, as training does.

    Args:
        run_ids: The runs.
        steps: Epochs per run.
        metrics: Values per epoch.
        each_epoch: Write every epoch at once (else the recorder's batching of a second).
    """
    from assay.search.executors.run import EpochRecorder
    from assay.train.live import epoch_hook, report_epoch, training_run

    names = [f"metric_{index}" for index in range(metrics)]
    started = time.perf_counter()
    for run_id in run_ids:
        recorder = EpochRecorder(run_id)
        with training_run(run_id), epoch_hook(recorder):
            for step in range(steps):
                report_epoch(step, {name: step * 0.01 + at for at, name in enumerate(names)})
                if each_epoch:
                    recorder.flush()
        recorder.flush()
    return time.perf_counter() - started


def assay_workload(work: Path) -> dict[str, float]:
    """Both assay figures on the metastore ASSAY_HOME names (``work/spec.json`` sizes it)."""
    from assay.orm.run import Run

    spec = json.loads((work / "spec.json").read_text())
    runs, steps, metrics = spec["runs"], spec["steps"], spec["metrics"]
    half = runs // 2 or 1
    ids = make_runs(2 * half)
    figures = {
        "each_epoch": write_epochs(ids[:half], steps, metrics, each_epoch=True) * runs / half,
        "live": write_epochs(ids[half:], steps, metrics, each_epoch=False) * runs / half,
    }
    history = Run.get_by_id(ids[-1]).history()
    assert len(history) == metrics and all(len(v) == steps for v in history.values()), history
    return figures


def run(runs: int = RUNS, steps: int = STEPS, metrics: int = METRICS, install: bool = True) -> dict:
    """Run both sides, print each one's epochs per second and the ratios; returns the seconds.

    assay's two ways each write half of the runs (the same metastore, one after the other),
    their time scaled to all ``runs``.

    Args:
        runs: How many runs.
        steps: Epochs (MLflow steps) per run.
        metrics: Values per epoch.
        install: Build MLflow's environment where it is missing (off in the tests).
    """
    work = Path(tempfile.mkdtemp(prefix="assay-bench-track-"))
    try:
        (work / "spec.json").write_text(
            json.dumps({"runs": runs, "steps": steps, "metrics": metrics})
        )
        ours = assay_half(work, work / "assay", module="bench.track")
        python = mlflow_python(mlflow_venv(), install)
        theirs = None
        if python is not None:
            theirs = mlflow_half(work, work / "mlflow", python, "track_mlflow.py")["seconds"]
        report(runs, steps, metrics, ours, theirs)
        return {"assay": ours, "mlflow": theirs}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(
    runs: int, steps: int, metrics: int, ours: dict[str, float], theirs: float | None
) -> None:
    """Print epochs per second of each side, and assay's throughput in MLflow's."""
    epochs = runs * steps
    print(
        f"\nLive training history: {runs} runs x {steps} epochs x {metrics} metrics "
        f"(SQLite; MLflow {MLFLOW_VERSION} log_batch per step)"
    )
    rows = [("assay, each epoch written at once", ours["each_epoch"])]
    rows.append(("assay, live recording as runs do it", ours["live"]))
    if theirs is not None:
        rows.append(("mlflow, log_batch per step", theirs))
    for what, seconds in rows:
        line = f"  {what:<38} {seconds:8.2f} s  {epochs / seconds:10,.0f} epochs/s"
        if theirs is not None and not what.startswith("mlflow"):
            times = theirs / seconds
            line += f"  {times:7.1f}x mlflow"
            if "at once" in what:
                verdict = "ok" if times >= TARGET else "BELOW TARGET"
                line += f" (target >= {TARGET:g}x) {verdict}"
        print(line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["assay"]:
        print(json.dumps(assay_workload(Path(sys.argv[2]))))
    else:
        run()
