"""Caching a 200,000 x 50 Feature with a StandardScaler and 5 folds, against NumPy by hand.

Both sides start from the same Parquet data and the same split and fold indices, then fit a
StandardScaler on each set of training samples, transform every split and save ``.npy``
files: assay through ``Splitset.cache_samples``, the baseline written with scikit-learn.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from bench.common import median_seconds, report_times, temporary_metastore

ROWS, COLUMNS, FOLDS = 200_000, 50, 5
TARGET = 1.5


def make_splitset() -> tuple[object, object]:
    """Register the data and make the Splitset (not timed)."""
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    from assay.orm import Dataset, Feature, FeatureCoder, Label, Splitset

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        rng.standard_normal((ROWS, COLUMNS)), columns=[f"c{i}" for i in range(COLUMNS)]
    )
    frame["target"] = rng.integers(0, 2, ROWS)
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    splitset = Splitset.make([feature.id], label.id, size_test=0.2, fold_count=FOLDS)
    return splitset, dataset


def by_hand(parquet: Path, splitset: object, folds: list[dict], out: Path) -> None:
    """What a careful user writes: read, then fit on each training set and save every split."""
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_parquet(parquet)
    x = frame.drop(columns="target").to_numpy()
    y = frame[["target"]].to_numpy()
    sets = [("no_fold", splitset.samples, "train")] + [
        (str(at), fold, "folds_train_combined") for at, fold in enumerate(folds)
    ]
    for name, samples, train_key in sets:
        scaler = StandardScaler().fit(x[samples[train_key]])
        for split, rows in samples.items():
            folder = out / name / split
            folder.mkdir(parents=True, exist_ok=True)
            np.save(folder / "feature_0.npy", scaler.transform(x[rows]))
            np.save(folder / "label.npy", y[rows])


def run(repeats: int = 3) -> float:
    """Time both and print the ratio."""
    temporary_metastore()
    splitset, dataset = make_splitset()
    folds = [fold.samples for fold in splitset.folds]
    parquet = Path(tempfile.mkdtemp()) / "data.parquet"
    dataset.to_df().to_parquet(parquet)
    out = Path(tempfile.mkdtemp())
    baseline = median_seconds(lambda: by_hand(parquet, splitset, folds, out), repeats)
    ours = median_seconds(splitset.cache_samples, repeats)
    os.remove(parquet)
    return report_times(
        f"cache_samples: {ROWS:,} x {COLUMNS} with a StandardScaler and {FOLDS} folds",
        ours,
        baseline,
        TARGET,
    )


if __name__ == "__main__":
    run()
