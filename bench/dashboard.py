"""The dashboard's pages over a metastore with 10,000 runs, and how soon an epoch is on screen.

1. Seeds a fresh SQLite metastore as ``bench.server_api`` does (a real experiment, then
   10,000 runs of its queue with 10 epochs each), logs in, and times each page a user
   opens (the runs page of the queue, its last page, the queues, a run, the live JSON the
   pages poll) ``REQUESTS`` times through the app in process; prints p50 and p95. Target:
   the runs page under ``TARGET_MS``.
2. Where chromium and Playwright are installed: serves the app with Uvicorn, opens a run's
   page, and ``EPOCHS_ON_SCREEN`` times writes one epoch the way a training run does
   (``EpochRecorder.flush``) and measures until the page shows it. Target: under
   ``SCREEN_TARGET_S`` (the page polls every ``POLL_MS``).

``python -m bench dashboard``
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import tempfile
import threading
import time
from typing import Any

from bench.server_api import percentile, seed

RUNS, REQUESTS, EPOCHS_ON_SCREEN = 10_000, 30, 10
TARGET_MS, SCREEN_TARGET_S = 1000.0, 2.0


def logged_in_client(app: Any, role: str = "viewer") -> Any:
    """A TestClient of ``app`` with a dashboard session."""
    from fastapi.testclient import TestClient

    from assay.server.tokens import create_token

    client = TestClient(app)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    token = create_token("bench", "default", role).secret
    client.post("/login", data={"token": token, "csrf": csrf})
    return client


def time_pages(client: Any, ids: dict[str, int], runs: int) -> dict[str, dict[str, float]]:
    """p50 and p95 milliseconds of each page."""
    queue, run = ids["queue_id"], ids["run_id"]
    last = (runs - 1) // 50 * 50
    pages = {
        f"runs page of a queue of {runs:,} runs": f"/queues/{queue}",
        "its last page": f"/queues/{queue}?offset={last}",
        "queues": "/queues",
        "a run (10 epochs)": f"/runs/{run}",
        "live JSON of the runs page": f"/queues/{queue}/live",
        "live JSON of a run": f"/runs/{run}/live",
    }
    figures = {}
    for name, url in pages.items():
        seconds = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        figures[name] = {
            "p50": 1000 * statistics.median(seconds),
            "p95": 1000 * percentile(seconds, 0.95),
        }
    return figures


def epoch_on_screen(app: Any, run_id: int) -> list[float] | None:
    """Seconds from each epoch's write to its showing on the run's page; None without a browser."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    import uvicorn
    from playwright.sync_api import sync_playwright
    from sqlalchemy import update

    from assay.orm.run import Run
    from assay.search.executors.run import EpochRecorder
    from assay.store import transaction
    from tests.server.conftest import free_port

    # a run in training (held by a live process: our parent), so that its page keeps polling
    with transaction() as db:
        db.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(status="running", pid=os.getppid(), host=socket.gethostname())
        )
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    delays = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True)
            page = browser.new_page(base_url=f"http://127.0.0.1:{config.port}")
            token = logged_in_token()
            page.goto("/login")
            page.get_by_label("Token").fill(token)
            page.get_by_role("button", name="Log in").click()
            page.goto(f"/runs/{run_id}")
            shown = int(page.locator("#run-epochs").text_content())
            recorder = EpochRecorder(run_id)
            for epoch in range(shown, shown + EPOCHS_ON_SCREEN):
                time.sleep(0.37)  # out of step with the page's polling
                recorder(epoch, {"loss": 1 / (epoch + 1)})
                recorder.flush()
                written = time.perf_counter()
                page.wait_for_function(
                    f"document.getElementById('run-epochs').textContent === '{epoch + 1}'",
                    polling=10,
                )
                delays.append(time.perf_counter() - written)
            browser.close()
    finally:
        server.should_exit = True
    return delays


def logged_in_token() -> str:
    from assay.server.tokens import create_token

    return create_token("bench-browser", "default", "viewer").secret


def run(runs: int = RUNS) -> dict[str, Any]:
    """Seed, time the pages and the epochs on screen, print both; returns the figures."""
    from assay.server.app import create_app
    from assay.server.settings import ServerSettings
    from assay.store import reset_engines

    home = tempfile.mkdtemp(prefix="assay-bench-dashboard-")
    saved = {key: os.environ.get(key) for key in ("ASSAY_HOME", "ASSAY_DATABASE_URL")}
    os.environ["ASSAY_HOME"] = home
    os.environ.pop("ASSAY_DATABASE_URL", None)
    try:
        ids = seed(runs, models=10)
        app = create_app(ServerSettings())
        pages = time_pages(logged_in_client(app), ids, runs)
        delays = epoch_on_screen(app, ids["run_id"])
    finally:
        reset_engines()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(home, ignore_errors=True)
    print(f"\nDashboard pages over {runs:,} runs (SQLite, in process, {REQUESTS} requests each)")
    for name, figure in pages.items():
        verdict = ""
        if name.startswith("runs page"):
            verdict = "ok" if figure["p95"] < TARGET_MS else "ABOVE TARGET"
            verdict = f"   (target < {TARGET_MS:.0f} ms) {verdict}"
        print(f"  {name:<40} p50 {figure['p50']:7.1f} ms   p95 {figure['p95']:7.1f} ms{verdict}")
    if delays is None:
        print("  epoch on screen: skipped, no chromium (apt-get install chromium)")
    else:
        worst = max(delays)
        verdict = "ok" if worst < SCREEN_TARGET_S else "ABOVE TARGET"
        print(
            f"  epoch written -> on the run's page (polling): median "
            f"{statistics.median(delays):.2f} s, max {worst:.2f} s over {len(delays)} epochs "
            f"(target < {SCREEN_TARGET_S:g} s) {verdict}"
        )
    return {"pages": pages, "epoch_on_screen": delays}
