"""Every tutorial in docs/tutorials runs, top to bottom, in a fresh metastore.

Python blocks run in one namespace; the ``assay ...`` lines of bash blocks run through the
command line's app, in document order, each of which must succeed. The working folder is
the test's own, so files a tutorial writes stay there.
"""

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assay.cli import app

TUTORIALS = sorted((Path(__file__).parent.parent / "docs" / "tutorials").glob("*.md"))
BLOCK = re.compile(r"```(python|bash)\n(.*?)```", re.DOTALL)


def test_there_is_a_tutorial_per_kind_of_problem_the_registry_search_nn_and_declarative():
    assert len(TUTORIALS) == 11


def run_commands(block: str) -> None:
    """Run each ``assay`` line of a shell block; a failing one fails with its output."""
    for line in block.splitlines():
        if not line.startswith("assay "):
            continue
        result = CliRunner().invoke(app, shlex.split(line)[1:])
        print(result.output)
        assert result.exit_code == 0, f"{line!r} failed:\n{result.output}"


@pytest.mark.parametrize("path", TUTORIALS, ids=[path.stem for path in TUTORIALS])
def test_tutorial_runs(path, tmp_path, monkeypatch, capsys):
    blocks = BLOCK.findall(path.read_text())
    assert any(language == "python" for language, _ in blocks), f"{path.name} has no python"
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}
    for language, block in blocks:
        if language == "python":
            exec(compile(block, str(path), "exec"), namespace)
        else:
            run_commands(block)
