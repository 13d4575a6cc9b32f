"""Latency of the REST API's list routes over a metastore with 10,000 runs.

Seeds a fresh SQLite metastore (or the PostgreSQL one ``ASSAY_BENCH_DATABASE_URL`` names)
with a small real experiment, then 10,000 runs of its queue and 10 epochs each in bulk,
and 100 registered models. ``assay server`` serves it in its own process; an httpx client
calls each list route ``REQUESTS`` times (first page, a page in the middle, the last page)
and prints the p50 and p95 latency of each. The list routes are paged, so a page costs the
same with 10,000 runs as with ten. Target: every p95 under ``TARGET_MS``.

``python -m bench server_api``
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
RUNS, EPOCHS, MODELS, REQUESTS = 10_000, 10, 100, 200
#: Every p95 should be under this many milliseconds.
TARGET_MS = 100.0


def seed(runs: int = RUNS, epochs: int = EPOCHS, models: int = MODELS) -> dict[str, int]:
    """Write a real experiment, then ``runs`` runs with ``epochs`` epochs each, in bulk.

    Returns:
        The ids the routes are called with: ``queue_id``, and ``run_id`` of a run.
    """
    from sqlalchemy import insert

    from assay.orm.predictor import EpochMetrics
    from assay.orm.run import STATUSES, Run
    from assay.registry import Registry
    from assay.store import transaction
    from tests.server.experiments import make_experiment

    made = make_experiment()
    job_id = Run.get_by_id(made.run_id).job_id
    with transaction() as db:
        db.execute(
            insert(Run),
            [
                {
                    "queue_id": made.queue_id,
                    "job_id": job_id,
                    "repeat_index": index,
                    "status": STATUSES[index % 3 + 2 * (index % 7 == 0)],
                }
                for index in range(1, runs)
            ],
        )
    first = made.run_id
    with transaction() as db:
        db.execute(
            insert(EpochMetrics),
            [
                {"run_id": run_id, "epoch": epoch, "metrics": {"loss": 1 / (epoch + 1)}}
                for run_id in range(first, first + runs)
                for epoch in range(epochs)
            ],
        )
    registry = Registry()
    for index in range(models):
        registry.create_model(f"model-{index:04d}", tags="bench")
    return {"queue_id": made.queue_id, "run_id": made.run_id}


def routes(ids: dict[str, int], runs: int) -> dict[str, tuple[str, dict[str, Any]]]:
    """The list routes timed, each with the query of its page."""
    last = max(runs - 50, 0)
    queue = ids["queue_id"]
    return {
        "runs, first page": ("/runs", {}),
        "runs, middle page": ("/runs", {"offset": runs // 2}),
        "runs, last page": ("/runs", {"offset": last}),
        "runs of a status": ("/runs", {"status": "failed"}),
        "a queue's runs, last page": (f"/queues/{queue}/runs", {"offset": last}),
        "queues": ("/queues", {}),
        "epochs of a run": (f"/runs/{ids['run_id']}/epochs", {}),
        "datasets": ("/datasets", {}),
        "predictions": ("/predictions", {}),
        "models": ("/models", {}),
    }


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def serve(port: int, environment: dict[str, str]) -> subprocess.Popen:
    """``assay server`` on ``port``, once it answers."""
    import httpx

    command = [sys.executable, "-m", "assay.cli", "server", "--port", str(port)]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json")
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("assay server did not start")


def time_routes(
    url: str, token: str, timed: dict[str, tuple[str, dict[str, Any]]], requests: int
) -> dict[str, dict[str, float]]:
    """p50 and p95 in milliseconds of each route over ``requests`` calls (after one warm-up).

    Args:
        url: The server's address.
        token: A viewer's token.
        timed: The routes, by label, with their queries.
        requests: Calls per route.
    """
    import httpx

    figures = {}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url + "/api/v1", headers=headers) as client:
        for label, (path, params) in timed.items():
            client.get(path, params=params).raise_for_status()
            seconds = []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(path, params=params)
                seconds.append(time.perf_counter() - started)
                response.raise_for_status()
            figures[label] = {
                "p50_ms": statistics.median(seconds) * 1000,
                "p95_ms": percentile(seconds, 0.95) * 1000,
            }
    return figures


def run(runs: int = RUNS, requests: int = REQUESTS) -> dict[str, dict[str, float]]:
    """Seed, serve, time and print each list route's p50 and p95; returns the figures.

    Args:
        runs: How many runs the metastore holds.
        requests: Calls per route.
    """
    from assay.server.tokens import create_token
    from assay.store import reset_engines
    from tests.server.conftest import free_port

    saved = {name: os.environ.get(name) for name in ("ASSAY_HOME", "ASSAY_DATABASE_URL")}
    with tempfile.TemporaryDirectory(prefix="assay-bench-server-") as home:
        os.environ["ASSAY_HOME"] = home
        os.environ["ASSAY_DATABASE_URL"] = os.environ.get(
            "ASSAY_BENCH_DATABASE_URL", f"sqlite:///{home}/assay.sqlite3"
        )
        started = time.perf_counter()
        ids = seed(runs)
        seeded = time.perf_counter() - started
        token = create_token("bench", role="viewer").secret
        reset_engines()
        port = free_port()
        environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
        server = serve(port, environment)
        try:
            figures = time_routes(f"http://127.0.0.1:{port}", token, routes(ids, runs), requests)
        finally:
            server.terminate()
            server.wait(timeout=10)
            reset_engines()
            for name, value in saved.items():
                os.environ.pop(name, None) if value is None else os.environ.update({name: value})
    report(figures, runs, requests, seeded)
    return figures


def report(figures: dict[str, dict[str, float]], runs: int, requests: int, seeded: float) -> None:
    """Print one line per route and whether every p95 meets the target."""
    print(f"API list routes over {runs:,} runs (seeded in {seeded:.1f} s), {requests} calls each:")
    width = max(map(len, figures))
    for label, figure in figures.items():
        print(f"  {label:<{width}}  p50 {figure['p50_ms']:6.1f} ms  p95 {figure['p95_ms']:6.1f} ms")
    worst = max(figure["p95_ms"] for figure in figures.values())
    verdict = "meets" if worst < TARGET_MS else "misses"
    print(f"  worst p95 {worst:.1f} ms: {verdict} the target of {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    run()
