"""Reading fold files: ``FoldYielder.get_fold`` against raw h5py reads of the same arrays.

One DataFrame (50,000 rows a fold, 10 folds, 40 inputs: normal values, values rounded to two
decimals and small integer codes, as real tables mix them) is written by ``df2foldfile``
without compression, with gzip and with lzf. Each file is then read whole, fold by fold, by
``FoldYielder.get_fold`` (inputs, targets, weights; ``np.nan_to_num`` on the inputs) and by
hand with h5py (the same three datasets of every fold group, nothing else); each opens the
file once, outside the timing, as training opens it once and reads folds for many epochs. Compression trades file size for decompression time; the
ratio against raw h5py is the FoldYielder's own cost.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from bench.common import median_seconds, report_times

FOLDS, ROWS, COLUMNS = 10, 50_000, 40
COMPRESSIONS = (None, "gzip", "lzf")
TARGET = 1.15


def make_frame(rows: int = FOLDS * ROWS, columns: int = COLUMNS) -> object:
    """The table: a quarter rounded, a quarter small integers, the rest normal; a target."""
    import pandas as pd

    rng = np.random.default_rng(0)
    values = rng.standard_normal((rows, columns)).astype(np.float32)
    quarter = columns // 4
    values[:, :quarter] = np.round(values[:, :quarter], 2)
    values[:, quarter : 2 * quarter] = rng.integers(0, 8, (rows, quarter))
    frame = pd.DataFrame(values, columns=[f"x{at}" for at in range(columns)])
    frame["target"] = rng.integers(0, 2, rows)
    frame["weight"] = rng.uniform(0.5, 1.5, rows).astype(np.float32)
    return frame


def write_files(folder: Path, frame: object, folds: int = FOLDS) -> dict[str | None, Path]:
    """One fold file per compression, from the same frame and the same fold assignment."""
    from assay.nn.data import df2foldfile

    features = [name for name in frame.columns if name.startswith("x")]
    return {
        compression: df2foldfile(
            frame,
            folds,
            features,
            [],
            "target",
            folder / f"bench_{compression or 'none'}",
            "int64",
            wgt_feat="weight",
            compression=compression,
        )
        for compression in COMPRESSIONS
    }


def read_raw(handle: object, folds: int) -> int:
    """What a careful user writes with h5py: each fold's three datasets, read whole."""
    count = 0
    for at in range(folds):
        group = handle[f"fold_{at}"]
        inputs = group["inputs"][()]
        group["targets"][()]
        group["weights"][()]
        count += len(inputs)
    return count


def read_assay(fy: object) -> int:
    """Every fold through FoldYielder.get_fold."""
    count = 0
    for at in range(fy.n_folds):
        count += len(fy.get_fold(at)["inputs"])
    return count


def run(repeats: int = 7, folds: int = FOLDS, rows: int = ROWS) -> dict[str | None, float]:
    """Time both readers on each file and print their ratios; returns them by compression."""
    import h5py

    from assay.nn.data import FoldYielder

    folder = Path(tempfile.mkdtemp(prefix="assay-bench-foldfile-"))
    try:
        paths = write_files(folder, make_frame(folds * rows), folds)
        ratios, plain_seconds = {}, None
        for compression, path in paths.items():
            with h5py.File(path, "r") as handle, FoldYielder(path) as fy:
                assert read_raw(handle, folds) == read_assay(fy) == folds * rows
                baseline = median_seconds(lambda h=handle: read_raw(h, folds), repeats)
                ours = median_seconds(lambda fy=fy: read_assay(fy), repeats)
            plain_seconds = plain_seconds or ours
            size_mb = path.stat().st_size / 2**20
            ratios[compression] = report_times(
                f"get_fold over {folds} folds x {rows:,} rows x {COLUMNS}, "
                f"compression={compression}: {size_mb:.0f} MiB on disc",
                ours,
                baseline,
                TARGET,
            )
            data_mb = folds * rows * (COLUMNS + 3) * 4 / 2**20
            print(
                f"  assay reads {data_mb / ours:7.0f} MiB/s of arrays; "
                f"{ours / plain_seconds:.2f} x the time of the uncompressed file"
            )
        return ratios
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    run()
