"""docs/server.md's SDK example runs as written against a live server."""

from __future__ import annotations

import re
from pathlib import Path

from assay.registry import Registry
from assay.server.tokens import create_token

PAGE = Path(__file__).resolve().parents[2] / "docs" / "server.md"


def test_the_sdk_example_of_the_server_page_runs(live_server, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
    assert len(blocks) == 1
    monkeypatch.setenv("ASSAY_URL", live_server)
    monkeypatch.setenv("ASSAY_TOKEN", create_token("ann", role="publisher").secret)
    exec(compile(blocks[0], str(PAGE), "exec"), {})
    version = Registry().model("churn").version(1)
    assert version.is_published and version.created_by == "ann"
