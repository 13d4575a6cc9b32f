"""``assay.nn.Model.fit`` over a fold file against a hand-written torch loop, in the same run.

A FullyConnected network (3 x 100, from one ModelBuilder) learns a binary target from
100,000 rows of 20 features in 5 folds: 4 to train on, 1 to validate on. Both sides take
the same network, optimiser (Adam) and loss, the same batch size, epochs and threads, and
do the same work per epoch: shuffle the training folds, shuffle each fold's rows, step
through its batches, then compute the validation loss, keeping the mean losses. The hand
loop holds the folds' arrays in memory (read from the file once, before timing);
``Model.fit`` reads each fold from the file when it needs it, as it does for data larger
than memory. Runs alternate, and the medians of their CPU times (``time.process_time``,
one thread) are compared: on a shared machine, wall time mostly measures the neighbours.

``python -m bench nn_fit``
"""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import report_times

ROWS, COLUMNS, FOLDS, DEPTH, WIDTH, EPOCHS, BATCH, THREADS = 100_000, 20, 5, 3, 100, 3, 256, 1
VAL_IDX = FOLDS - 1
TARGET = 1.15


def write_foldfile(folder: Path) -> Path:
    """The benchmark's data as a fold file."""
    import pandas as pd

    from assay.nn.data import df2foldfile

    rng = np.random.default_rng(0)
    x = rng.standard_normal((ROWS, COLUMNS)).astype(np.float32)
    y = (x[:, :3].sum(axis=1) + 0.5 * x[:, 3] * x[:, 4] > 0).astype(np.float32)
    names = [f"c{i}" for i in range(COLUMNS)]
    frame = pd.DataFrame(x, columns=names).assign(target=y)
    return df2foldfile(
        frame,
        n_folds=FOLDS,
        cont_feats=names,
        cat_feats=[],
        targ_feats="target",
        savename=folder / "bench",
        targ_type="float32",
    )


def model_builder() -> Any:
    """The network both sides train."""
    from assay.nn.models import FullyConnected, ModelBuilder

    return ModelBuilder(
        "classification",
        cont_feats=[f"c{i}" for i in range(COLUMNS)],
        n_out=1,
        body=partial(FullyConnected, depth=DEPTH, width=WIDTH),
        opt_args={"opt": "adam", "lr": 1e-3},
    )


def hand_loop(folds: list[tuple[Any, Any]]) -> dict[str, list[float]]:
    """The loop a user writes by hand over tensors in memory."""
    import torch

    model, optimiser, loss_fn = model_builder().get_model()
    train = list(range(FOLDS - 1))
    history: dict[str, list[float]] = {"trn_loss": [], "val_loss": []}
    for _ in range(EPOCHS):
        model.train()
        total, rows = 0.0, 0
        for fold in torch.randperm(len(train)).tolist():
            x, y = folds[train[fold]]
            order = torch.randperm(len(x))
            x, y = x[order], y[order]
            for start in range(0, len(x), BATCH):
                xb, yb = x[start : start + BATCH], y[start : start + BATCH]
                loss = loss_fn(model(xb), yb)
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * len(xb)
                rows += len(xb)
        history["trn_loss"].append(total / rows)
        model.eval()
        x, y = folds[VAL_IDX]
        total = 0.0
        with torch.no_grad():
            for start in range(0, len(x), BATCH):
                xb, yb = x[start : start + BATCH], y[start : start + BATCH]
                total += float(loss_fn(model(xb), yb)) * len(xb)
        history["val_loss"].append(total / len(x))
    return history


def assay_fit(fy: Any) -> dict[str, list[float]]:
    """The same training through ``Model.fit`` over the fold file."""
    from assay.nn import Model

    model = Model(model_builder(), device="cpu")
    return model.fit(EPOCHS, fy, BATCH, val_idx=VAL_IDX)


def run(repeats: int = 5) -> float:
    """Time both sides ``repeats`` times, alternating; print and return the ratio."""
    import torch

    from assay.nn.data import FoldYielder

    torch.set_num_threads(THREADS)
    with tempfile.TemporaryDirectory(prefix="assay-bench-nn-") as folder:
        fy = FoldYielder(write_foldfile(Path(folder)))
        folds = []
        for i in range(FOLDS):
            data = fy.get_fold(i)
            folds.append(
                (torch.from_numpy(data["inputs"]), torch.from_numpy(data["targets"]).reshape(-1, 1))
            )
        hand_loop(folds)  # warm-up: first calls into torch's kernels
        hand_times, assay_times = [], []
        for _ in range(repeats):
            torch.manual_seed(0)
            started = time.process_time()
            hand = hand_loop(folds)
            hand_times.append(time.process_time() - started)
            torch.manual_seed(0)
            started = time.process_time()
            ours = assay_fit(fy)
            assay_times.append(time.process_time() - started)
        fy.close()
    print(
        f"\n  final validation loss: hand {hand['val_loss'][-1]:.4f}, "
        f"Model.fit {ours['val_loss'][-1]:.4f}"
    )
    return report_times(
        f"Model.fit over a fold file vs a hand-written torch loop ({ROWS:,} x {COLUMNS}, "
        f"{FOLDS} folds, FullyConnected {DEPTH}x{WIDTH}, {EPOCHS} epochs, batch {BATCH}, "
        f"{THREADS} thread; CPU seconds, median of {repeats})",
        float(np.median(assay_times)),
        float(np.median(hand_times)),
        TARGET,
    )


if __name__ == "__main__":
    run()
