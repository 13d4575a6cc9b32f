"""Registering a large DataFrame must not hold many copies of it in memory."""

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, resource
    import numpy as np, pandas as pd
    import assay.orm
    from assay.store.engine import engine
    engine()
    frame = pd.DataFrame(np.random.default_rng(0).standard_normal((1_000_000, 20)))
    frame.columns = [f"c{i}" for i in range(20)]
    frame_mb = frame.memory_usage(index=False).sum() / 2**20
    with open("/proc/self/statm") as statm:
        before_mb = int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    assay.orm.Dataset.Tabular.from_df(frame, name="big")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"frame_mb": frame_mb, "extra_mb": peak_mb - before_mb}))
    """
)


def test_registering_a_large_frame_holds_at_most_about_two_copies(tmp_path):
    """Usually one copy (the Arrow table); the allocator's caching can add most of another."""
    env = {"ASSAY_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, check=True, capture_output=True, text=True
    ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["extra_mb"] <= 2.5 * figures["frame_mb"], figures
