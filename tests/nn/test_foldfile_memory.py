"""Reading a fold file one fold at a time holds about one fold in memory, not the file.

A fresh interpreter opens the file, notes its resident size, reads every fold in turn and
reports how far its peak resident size (``ru_maxrss``) rose above that; then it loads all folds
together, which must show the file's worth, so the measure is known to see memory. Linux only
(``/proc/self/statm``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from assay.nn.data.layout import FoldArrays, write_foldfile

FOLDS, ROWS, COLUMNS, VECS, FEATS = 20, 25_000, 40, 4, 5
FOLD_MB = ROWS * (COLUMNS + VECS * FEATS + 2) * 4 / 2**20  # inputs, matrix, targets, weights

READER = """
import json, os, resource, sys
from assay.nn.data import FoldYielder

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

fy = FoldYielder(sys.argv[1])
before = resident_mb()  # the libraries loaded and the file open, no fold read yet
total = 0.0
for fold in fy:
    flat, matrix = fold["inputs"]
    total += float(flat.sum()) + float(matrix.sum()) + float(fold["weights"].sum())
del fold, flat, matrix
one_at_a_time = peak_mb() - before
everything = fy.get_data()
all_at_once = peak_mb() - before
print(json.dumps({"one_at_a_time": one_at_a_time, "all_at_once": all_at_once, "total": total}))
"""


def write_big_file(path: Path) -> Path:
    rng = np.random.default_rng(0)
    meta = {
        "cont_feats": [f"c{at}" for at in range(COLUMNS)],
        "cat_feats": [],
        "cat_maps": {},
        "targ_feats": ["y"],
        "targ_type": "float32",
        "wgt_feat": "w",
        "misc_feats": [],
        "matrix": {
            "kind": "matrix",
            "name": "matrix",
            "vecs": [f"v{at}" for at in range(VECS)],
            "feats_per_vec": [f"f{at}" for at in range(FEATS)],
            "row_wise": True,
            "missing": [],
            "shape": [VECS, FEATS],
            "is_sparse": False,
        },
    }
    folds = (
        FoldArrays(
            inputs=rng.standard_normal((ROWS, COLUMNS), dtype=np.float32),
            targets=rng.standard_normal((ROWS, 1), dtype=np.float32),
            weights=np.ones(ROWS, dtype=np.float32),
            matrix=rng.standard_normal((ROWS, VECS, FEATS), dtype=np.float32),
        )
        for _ in range(FOLDS)
    )
    return write_foldfile(path, meta, folds)


def test_peak_memory_grows_by_a_few_folds_while_the_file_is_twenty(tmp_path):
    path = write_big_file(tmp_path / "big.hdf5")
    assert path.stat().st_size / 2**20 > 0.95 * FOLDS * FOLD_MB
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    # A process started straight from pytest inherits pytest's peak (execve keeps the
    # caller's ru_maxrss); started by a shell that forks it, its peak is its own.
    command = ["/bin/sh", "-c", '"$0" "$@"; exit $?', sys.executable, "-c", READER, str(path)]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    grown = json.loads(out)
    # Reading every fold in turn holds the fold in hand and the next being read (about three
    # folds with the allocator's slack, measured), where the file holds twenty.
    assert grown["one_at_a_time"] < 4 * FOLD_MB, (grown, FOLD_MB)
    # The measure sees memory: loading all folds together grows by the file's worth.
    assert grown["all_at_once"] > 0.8 * FOLDS * FOLD_MB, (grown, FOLD_MB)
