"""Two processes register Datasets into one SQLite metastore at once: none fails, none is lost."""

import os
import subprocess
import sys
import textwrap

from sqlalchemy import func, select

from assay.orm import Dataset
from assay.store import reading

WRITES = 200

WORKER = textwrap.dedent(
    """
    import sys
    import warnings
    import pandas as pd
    from assay.orm import Dataset, Feature

    worker, writes = int(sys.argv[1]), int(sys.argv[2])
    warnings.simplefilter("error")  # a duplicate would warn: every write must be new
    for i in range(writes):
        frame = pd.DataFrame({"worker": [worker], "i": [i]})
        dataset = Dataset.Tabular.from_df(frame, name="shared")
        Feature.from_dataset(dataset.id)
    print("ok")
    """
)


def test_two_processes_write_at_once(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = dict(os.environ)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(worker), str(WRITES)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in (0, 1)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out.strip() == "ok"
    with reading() as db:
        total = db.scalar(select(func.count()).select_from(Dataset))
        versions = sorted(db.scalars(select(Dataset.version)))
    assert total == 2 * WRITES
    assert versions == list(range(1, 2 * WRITES + 1))  # versions never collide
    frames = [Dataset.to_df(i) for i in (1, 2 * WRITES)]
    assert all(len(frame) == 1 for frame in frames)
