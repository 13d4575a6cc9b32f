"""The tracking workload of ``bench/track.py`` through MLflow's ``log_batch``.

Run by the MLflow virtual environment's Python (``python bench/track_mlflow.py FOLDER WORK``),
never by assay's: it imports only the standard library and mlflow. ``FOLDER/spec.json``
gives the runs, steps and metrics. The
tracking store is a SQLite file in ``WORK/mlflow``, created (and migrated) and the runs made
before the timing starts; then each step of each run is one ``log_batch`` call with every
metric of the step, as a training loop logs an epoch. Prints the seconds as one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(folder: Path, work: Path) -> None:
    """Log runs x steps x metrics values; print ``{"seconds": ...}``."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    spec = json.loads((folder / "spec.json").read_text())
    runs, steps, metrics = spec["runs"], spec["steps"], spec["metrics"]
    home = work / "mlflow"
    home.mkdir(parents=True)
    client = MlflowClient(tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
    experiment = client.create_experiment("bench", artifact_location=(home / "art").as_uri())
    run_ids = [client.create_run(experiment).info.run_id for _ in range(runs)]
    names = [f"metric_{index}" for index in range(metrics)]
    started = time.perf_counter()
    for run_id in run_ids:
        for step in range(steps):
            stamp = int(time.time() * 1000)
            batch = [Metric(name, step * 0.01 + at, stamp, step) for at, name in enumerate(names)]
            client.log_batch(run_id, metrics=batch)
    seconds = time.perf_counter() - started
    logged = len(client.get_metric_history(run_ids[-1], names[-1]))
    assert logged == steps, f"MLflow kept {logged} of {steps} steps"
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
