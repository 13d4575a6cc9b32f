"""The registry workload of ``bench/registry.py`` through MLflow's model registry.

Run by the MLflow virtual environment's Python (``python bench/registry_mlflow.py FOLDER``),
never by assay's: it imports only the standard library and mlflow, reads the workload from
``FOLDER/workload.json`` and prints the seconds of each operation as one JSON line.
Everything it writes goes to ``WORK`` (``python bench/registry_mlflow.py FOLDER WORK``).

MLflow is driven through its lowest-cost public path, ``MlflowClient``: each version is a
run whose artifact is the pickle, registered from the run's artifact folder, and downloaded
through the ``models:/NAME/VERSION`` URI that resolves the registry. The tracking and registry
store is a SQLite file and the artifacts a local folder, both in ``WORK/mlflow``; the
database is created (and migrated) before any timing starts.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def timed(work) -> float:
    """The wall time of ``work()`` in seconds."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main(folder: Path, work: Path) -> None:
    """Run the workload of ``folder/workload.json`` and print the seconds per operation."""
    import mlflow
    from mlflow import MlflowClient

    spec = json.loads((folder / "workload.json").read_text())
    home = work / "mlflow"
    home.mkdir(parents=True)
    mlflow.set_tracking_uri(f"sqlite:///{home / 'mlflow.db'}")
    mlflow.set_registry_uri(f"sqlite:///{home / 'mlflow.db'}")
    client = MlflowClient()
    experiment = client.create_experiment("bench", artifact_location=(home / "artifacts").as_uri())
    name = spec["model"]
    pickles = spec["pickles"]

    def create_versions() -> None:
        client.create_registered_model(name, tags={"bench": "true"})
        for path in pickles:
            run_id = client.create_run(experiment).info.run_id
            client.log_artifact(run_id, path, artifact_path="model")
            client.set_terminated(run_id)
            source = f"{client.get_run(run_id).info.artifact_uri}/model"
            client.create_model_version(name, source=source, run_id=run_id)

    def tag_versions() -> None:
        for number in range(1, len(pickles) + 1):
            client.set_model_version_tag(name, str(number), spec["version_tag"], "true")

    def create_models() -> None:
        for at in range(spec["models"]):
            kind = spec["tag"] if at % (spec["models"] // spec["matches"]) == 0 else "hay"
            client.create_registered_model(f"model-{at:05d}", tags={"bench": "true", kind: "true"})

    def search() -> None:
        found = client.search_registered_models(filter_string=f"tags.{spec['tag']} = 'true'")
        assert len(found) == spec["matches"], len(found)

    downloads = work / "mlflow-downloads"

    def download_versions() -> None:
        for number in range(1, len(pickles) + 1):
            mlflow.artifacts.download_artifacts(
                artifact_uri=f"models:/{name}/{number}", dst_path=str(downloads / str(number))
            )

    seconds = {
        "create_versions": timed(create_versions),
        "tag_versions": timed(tag_versions),
        "create_models": timed(create_models),
        "search": statistics.median(timed(search) for _ in range(spec["search_repeats"])),
        "download_versions": timed(download_versions),
    }
    for number, path in enumerate(pickles, start=1):
        got = downloads / str(number) / Path(path).name
        assert got.read_bytes() == Path(path).read_bytes(), f"version {number} came back changed"
    print(json.dumps(seconds))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
