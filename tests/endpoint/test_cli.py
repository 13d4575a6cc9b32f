"""``assay serve`` from a shell: a registered model served until stopped; bad input refused."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

from assay.cli import app
from tests.endpoint.live import records
from tests.plugins.installed import install_example_plugin
from tests.registry.formats.models import new_rows, trained


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_assay_serve_runs_a_registered_model_and_tells_its_integrations(tmp_path):
    predictor = trained("sklearn")
    predictor.register("iris")
    site = install_example_plugin(tmp_path / "site")
    hooks, port = tmp_path / "hooks.jsonl", free_port()
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.getcwd()])}
    command = [sys.executable, "-m", "assay.cli", "serve", "iris@1", "--port", str(port)]
    command += ["--integration", "jsonl", "--integration-option", f"jsonl.path={hooks}"]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True)
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{url}/health")
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.1)
        answer = httpx.post(f"{url}/predict", json={"rows": records(new_rows().head(1))}).json()
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert health.json()["model"] == "model 'iris' version 1"
    assert (
        answer["predictions"][0]["species"] == predictor.predict(new_rows().head(1))["species"][0]
    )
    assert "Serving model 'iris' version 1 at http://127.0.0.1:" in out
    (line,) = [json.loads(text) for text in hooks.read_text().splitlines()]
    assert line == {
        "hook": "serve",
        "model": "model 'iris' version 1",
        "host": "127.0.0.1",
        "port": port,
    }


def test_a_model_that_is_not_there_is_one_line_and_exit_1():
    result = CliRunner().invoke(app, ["serve", "nothing@2"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "nothing" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_integration_is_refused_before_serving():
    predictor = trained("sklearn")
    result = CliRunner().invoke(app, ["serve", str(predictor.id), "--integration", "nope"])
    assert result.exit_code == 1
    assert "integration must be one of" in result.output
