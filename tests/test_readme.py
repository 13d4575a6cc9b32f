"""The README's quick start runs as written (only the figure is returned, not displayed)."""

import re
from pathlib import Path


def test_quick_start_runs():
    text = (Path(__file__).parent.parent / "README.md").read_text()
    block = re.findall(r"```python\n(.*?)```", text, re.DOTALL)[0]
    assert "plot_roc_curve()" in block
    block = block.replace("plot_roc_curve()", "plot_roc_curve(call_display=False)")
    namespace = {"__name__": "__main__"}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["queue"].runs_completed == namespace["queue"].total_runs == 12
