"""docs/plugins.md: its Python runs as written, in a fresh metastore."""

from __future__ import annotations

import re
from pathlib import Path

from assay.integrations import integration_registry

PAGE = Path(__file__).parent.parent.parent / "docs" / "plugins.md"


def test_the_integration_example_of_the_plugins_page_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)
    assert blocks
    monkeypatch.chdir(tmp_path)
    try:
        for block in blocks:
            exec(compile(block, str(PAGE), "exec"), {"__name__": "__main__"})
    finally:
        integration_registry.pop("printer", None)
    assert "epoch 4:" in capsys.readouterr().out
