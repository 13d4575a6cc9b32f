"""Registering a large DataFrame must not hold many copies of it in memory.

The measure is what the registration itself allocates, not the process's peak RSS (which
also counts pages the allocator keeps and libraries loaded on first use, and so varied from
run to run): tracemalloc's peak, which numpy's buffers report to, plus the peak of Arrow's
memory pool, which tracemalloc does not see. The same code always gets the same verdict.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, tracemalloc
    import numpy as np, pandas as pd, pyarrow as pa
    import assay.orm
    from assay.store.engine import engine
    engine()
    frame = pd.DataFrame(np.random.default_rng(0).standard_normal((1_000_000, 20)))
    frame.columns = [f"c{i}" for i in range(20)]
    frame_mb = frame.memory_usage(index=False).sum() / 2**20
    pool = pa.default_memory_pool()
    arrow_before = pool.bytes_allocated()
    tracemalloc.start()
    assay.orm.Dataset.Tabular.from_df(frame, name="big")
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    arrow_peak = pool.max_memory() - arrow_before  # its peak: nothing had used it before
    print(json.dumps({
        "frame_mb": frame_mb,
        "python_mb": python_peak / 2**20,
        "arrow_mb": arrow_peak / 2**20,
    }))
    """
)


@pytest.mark.parametrize(
    "inline_limit_mb",
    [None, "100000"],
    ids=["artifact file (SQLite)", "inline payload (as on PostgreSQL)"],
)
def test_registering_a_large_frame_holds_at_most_about_two_copies(tmp_path, inline_limit_mb):
    """A file streams row group by row group; an inline payload is one Arrow buffer."""
    # The checkout under test, not whichever assay the interpreter has installed.
    env = {"ASSAY_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    if inline_limit_mb is not None:
        env["ASSAY_INLINE_LIMIT_MB"] = inline_limit_mb
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, check=True, capture_output=True, text=True
    ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["python_mb"] + figures["arrow_mb"] <= 2.5 * figures["frame_mb"], figures
