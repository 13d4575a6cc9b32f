"""Registering an ingested 1,000,000 x 20 float DataFrame against the raw work it implies.

The raw work is what registration cannot avoid: a pyarrow Parquet write of the frame and a
sha256 of the bytes. ``python -m bench.register_dataset assay|raw`` runs one case.
"""

from __future__ import annotations

import sys

from bench.common import child_measure, measure, report

ROWS, COLUMNS = 1_000_000, 20
TARGET = 1.5


def make_frame() -> object:
    """The input: a float64 DataFrame of ROWS x COLUMNS (160 MB)."""
    import numpy as np
    import pandas as pd
    import pyarrow.parquet  # noqa: F401 - imports are not part of the work measured

    rng = np.random.default_rng(0)
    return pd.DataFrame(
        rng.standard_normal((ROWS, COLUMNS)), columns=[f"c{i}" for i in range(COLUMNS)]
    )


def raw(frame: object) -> None:
    """Parquet bytes in memory with pyarrow, then their sha256."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    hashlib.sha256(sink.getvalue()).hexdigest()


def prepare_assay() -> object:
    """The frame, with assay imported and its metastore created (one-offs, not measured)."""
    import assay.orm  # noqa: F401
    from assay.store.engine import engine

    engine()
    return make_frame()


def with_assay(frame: object) -> None:
    """Dataset.Tabular.from_df, which validates, converts, hashes and stores the frame."""
    from assay.orm import Dataset

    Dataset.Tabular.from_df(frame, name="bench")


def run(repeats: int = 3) -> float:
    """Time both cases in fresh processes and print the comparison."""
    baseline = measure(__name__, "raw", repeats)
    ours = measure(__name__, "assay", repeats)
    return report(
        f"register an ingested {ROWS:,} x {COLUMNS} float DataFrame", ours, baseline, TARGET
    )


if __name__ == "__main__":
    case = sys.argv[1] if len(sys.argv) > 1 else ""
    if case == "raw":
        child_measure(make_frame, raw)
    elif case == "assay":
        child_measure(prepare_assay, with_assay)
    else:
        run()
