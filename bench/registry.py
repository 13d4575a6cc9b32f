"""The model registry against MLflow's, on the same workload in the same run.

Create a model and 30 versions, each with its own 1 MB pickled scikit-learn model; tag each
version; create 1,000 models, 10 of them with the tag searched for; find those 10 by tag;
download every version's file. Each side runs in a fresh process on a SQLite file and a local
artifact folder: assay with its own Python, MLflow (``MLFLOW_VERSION``) with the Python of a
virtual environment of its own, since its pins do not fit assay's. The two take turns,
``ROUNDS`` times each, and the median of each operation is compared. Target: assay at least
``TARGET`` times faster on each operation.

The MLflow environment is ``$ASSAY_BENCH_MLFLOW_VENV``, by default ``.venv-mlflow`` in the
repository; the benchmark builds it where it is missing (``make mlflow-venv`` does too), and
where that fails only assay's half runs and the benchmark says how to build it.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
MLFLOW_VERSION = "3.17.2"
TARGET = 3.0
VERSIONS, PICKLE_BYTES, MODELS, MATCHES, SEARCH_REPEATS = 30, 1_000_000, 1_000, 10, 5
#: How many times each side runs the workload, taking turns; the median is reported.
ROUNDS = 3
#: What each operation is, in the order they run, for the printed table.
OPERATIONS = {
    "create_versions": "create a model and {versions} versions, one {size} pickle each",
    "tag_versions": "tag each of the {versions} versions",
    "create_models": "create {models:,} models",
    "search": "find {matches} models by tag among {models:,} (median of {repeats})",
    "download_versions": "download the {versions} versions' files",
}


def mlflow_venv() -> Path:
    """The virtual environment MLflow runs in: ``$ASSAY_BENCH_MLFLOW_VENV`` or ``.venv-mlflow``."""
    return Path(os.environ.get("ASSAY_BENCH_MLFLOW_VENV") or REPOSITORY / ".venv-mlflow")


def write_workload(
    folder: Path,
    versions: int = VERSIONS,
    size: int = PICKLE_BYTES,
    models: int = MODELS,
    matches: int = MATCHES,
) -> dict[str, Any]:
    """Write one distinct pickled scikit-learn model per version and ``workload.json``.

    Each pickle is a nearest-neighbours classifier fitted on its own random rows (about
    ``size`` bytes), so no two versions share a file and content addressing saves nothing.

    Args:
        folder: An empty folder to write into.
        versions: How many versions the model gets.
        size: About how many bytes each pickle has.
        models: How many models the search looks among.
        matches: How many of them carry the tag searched for.
    """
    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    rows = max(size // 72, 2)  # 8 float64 features and an int64 class per row
    pickles = folder / "pickles"
    pickles.mkdir(parents=True)
    paths = []
    for number in range(1, versions + 1):
        rng = np.random.default_rng(number)
        features, classes = rng.standard_normal((rows, 8)), rng.integers(0, 2, rows)
        model = KNeighborsClassifier(algorithm="brute").fit(features, classes)
        path = pickles / f"churn-v{number}.pkl"
        path.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        paths.append(str(path))
    spec = {
        "model": "churn",
        "pickles": paths,
        "version_tag": "validated",
        "models": models,
        "matches": matches,
        "tag": "needle",
        "search_repeats": SEARCH_REPEATS,
    }
    (folder / "workload.json").write_text(json.dumps(spec))
    return spec


def timed(work: Callable[[], object]) -> float:
    """The wall time of ``work()`` in seconds."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def assay_workload(folder: Path, work: Path) -> dict[str, float]:
    """Run the workload of ``folder/workload.json`` through assay's Registry; seconds per step.

    The metastore is the one ``ASSAY_HOME``/``ASSAY_DATABASE_URL`` names; it is created and
    migrated before the timing starts, as MLflow's is. Downloads go to ``work``.
    """
    from assay.registry import Registry

    spec = json.loads((folder / "workload.json").read_text())
    registry = Registry()
    registry.models()  # creates and migrates the metastore
    pickles = spec["pickles"]
    every = spec["models"] // spec["matches"]
    model = None

    def create_versions() -> None:
        nonlocal model
        model = registry.create_model(spec["model"], tags="bench")
        for path in pickles:
            model.create_version(formats={"pkl": path})

    def tag_versions() -> None:
        for number in range(1, len(pickles) + 1):
            model.version(number).edit(tags=[spec["version_tag"]])

    def create_models() -> None:
        for at in range(spec["models"]):
            kind = spec["tag"] if at % every == 0 else "hay"
            registry.create_model(f"model-{at:05d}", tags=["bench", kind])

    def search() -> None:
        found = registry.models(tags=[spec["tag"]])
        assert len(found) == spec["matches"], len(found)

    downloads = work / "assay-downloads"
    downloads.mkdir(parents=True)

    def download_versions() -> None:
        for number in range(1, len(pickles) + 1):
            registry.model(spec["model"]).version(number).download("pkl", path=downloads)

    seconds = {
        "create_versions": timed(create_versions),
        "tag_versions": timed(tag_versions),
        "create_models": timed(create_models),
        "search": statistics.median(timed(search) for _ in range(spec["search_repeats"])),
        "download_versions": timed(download_versions),
    }
    for number, path in enumerate(pickles, start=1):
        got = downloads / f"{spec['model']}-v{number}.pkl"
        assert got.read_bytes() == Path(path).read_bytes(), f"version {number} came back changed"
    return seconds


def run_half(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run one side in its own process; its last line of output is its JSON figures."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPOSITORY)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:3])} failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def assay_half(folder: Path, work: Path, module: str = "bench.registry") -> dict[str, float]:
    """assay's figures, from a fresh process on a fresh ASSAY_HOME inside ``work``.

    ``python -m MODULE assay FOLDER WORK`` runs it: this benchmark's module, or another's.
    """
    env = dict(os.environ, ASSAY_HOME=str(work / "assay_home"))
    for name in ("ASSAY_DATABASE_URL", "ASSAY_ARTIFACT_URL"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))
    return run_half([sys.executable, "-m", module, "assay", str(folder), str(work)], env)


def mlflow_python(venv: Path, install: bool = False) -> Path | None:
    """The Python of MLflow's environment, or None (saying how to build it) if missing.

    With ``install``, a missing environment is built first (from the package index; a
    minute or two), and None is returned only if that fails.
    """
    python = venv / "bin" / "python"
    if not python.exists() and install:
        print(f"Building MLflow {MLFLOW_VERSION}'s virtual environment at {venv} ...")
        built = subprocess.run([sys.executable, "-m", "venv", str(venv)]).returncode == 0 and (
            subprocess.run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    f"mlflow=={MLFLOW_VERSION}",
                    "scikit-learn",
                ]
            ).returncode
            == 0
        )
        if not built:
            shutil.rmtree(venv, ignore_errors=True)
    if not python.exists():
        print(
            f"\nMLflow's half skipped: no virtual environment at {venv}. Build it with\n"
            f"  python3 -m venv {venv} && {venv}/bin/pip install mlflow=={MLFLOW_VERSION} "
            "scikit-learn\n(or `make mlflow-venv`), or point ASSAY_BENCH_MLFLOW_VENV at one."
        )
        return None
    return python


def mlflow_half(
    folder: Path, work: Path, python: Path, script: str = "registry_mlflow.py"
) -> dict[str, float]:
    """MLflow's figures, from a fresh process of its environment's Python in ``work``.

    Args:
        folder: The workload's folder.
        work: Where MLflow writes.
        python: MLflow's environment's Python.
        script: The script in ``bench/`` that runs the workload (``SCRIPT FOLDER WORK``).
    """
    path = str(Path(__file__).with_name(script))
    env = {key: value for key, value in os.environ.items() if not key.startswith("MLFLOW_")}
    env.pop("PYTHONPATH", None)
    return run_half([str(python), path, str(folder), str(work)], env)


def medians(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The median seconds of each operation over rounds."""
    return {key: statistics.median(one[key] for one in rounds) for key in rounds[0]}


def report(
    spec: dict[str, Any], ours: dict[str, float], theirs: dict[str, float] | None, rounds: int
) -> None:
    """Print each operation's median seconds on both sides and how many times faster assay is."""
    size = os.path.getsize(spec["pickles"][0])
    words = {
        "versions": len(spec["pickles"]),
        "size": f"{size / 1e6:.2f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB",
        "models": spec["models"],
        "matches": spec["matches"],
        "repeats": spec["search_repeats"],
    }
    print(
        f"\nModel registry: assay against MLflow {MLFLOW_VERSION} (SQLite, local artifacts; "
        f"median of {rounds} rounds each)"
    )
    for key, what in OPERATIONS.items():
        line = f"  {what.format(**words):<58} assay {ours[key]:8.3f} s"
        if theirs is not None:
            times = theirs[key] / ours[key]
            verdict = "ok" if times >= TARGET else "BELOW TARGET"
            line += (
                f"   mlflow {theirs[key]:8.3f} s   {times:6.1f}x (target >= {TARGET:g}x) {verdict}"
            )
        print(line)


def run(
    versions: int = VERSIONS,
    size: int = PICKLE_BYTES,
    models: int = MODELS,
    matches: int = MATCHES,
    rounds: int = ROUNDS,
    install: bool = True,
) -> dict[str, dict[str, float] | None]:
    """Run both halves on one workload, print the comparison; returns the median figures.

    The halves take turns, ``rounds`` times each, so that a machine busy with other work
    slows both alike; each round starts from an empty metastore and artifact folder.

    Args:
        versions: How many versions the model gets.
        size: About how many bytes each version's pickle has.
        models: How many models the search looks among.
        matches: How many of them carry the tag searched for.
        rounds: How many times each half runs.
        install: Build MLflow's environment where it is missing (off in the tests, which
            never reach the network).
    """
    folder = Path(tempfile.mkdtemp(prefix="assay-bench-registry-"))
    try:
        spec = write_workload(folder, versions, size, models, matches)
        python = mlflow_python(mlflow_venv(), install)
        ours, theirs = [], []
        for at in range(rounds):
            ours.append(assay_half(folder, folder / f"assay-{at}"))
            if python is not None:
                theirs.append(mlflow_half(folder, folder / f"mlflow-{at}", python))
        figures = {"assay": medians(ours), "mlflow": medians(theirs) if theirs else None}
        report(spec, figures["assay"], figures["mlflow"], rounds)
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["assay"]:
        print(json.dumps(assay_workload(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        run()
