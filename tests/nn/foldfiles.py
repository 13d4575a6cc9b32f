"""Small fold files and ModelBuilders for the tests of Model, callbacks, train_models and Ensemble.

The data are scikit-learn's breast cancer (binary) and diabetes (regression) tables,
standardised, dealt into a few folds; the networks are small, so each fit takes a moment.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.preprocessing import StandardScaler

from assay.nn.data import FoldYielder, df2foldfile
from assay.nn.models import FullyConnected, ModelBuilder

CANCER_FEATS = ["mean radius", "mean texture", "mean smoothness", "worst area", "worst concavity"]
DIABETES_FEATS = ["age", "bmi", "bp", "s1", "s5"]


def cancer_foldfile(folder: Path, n_folds: int = 4, weights: bool = False) -> FoldYielder:
    """Breast cancer, five standardised features and a binary target, in ``n_folds`` folds."""
    frame = load_breast_cancer(as_frame=True).frame
    frame[CANCER_FEATS] = StandardScaler().fit_transform(frame[CANCER_FEATS])
    if weights:
        frame["weight"] = np.where(frame["target"] == 1, 0.5, 2.0)
    return continuous_foldfile(
        frame,
        CANCER_FEATS,
        folder / "cancer",
        n_folds,
        strat_key="target",
        wgt_feat="weight" if weights else None,
    )


def diabetes_foldfile(folder: Path, n_folds: int = 3) -> FoldYielder:
    """Diabetes progression (standardised), five features, in ``n_folds`` folds."""
    frame = load_diabetes(as_frame=True, scaled=False).frame
    frame[DIABETES_FEATS] = StandardScaler().fit_transform(frame[DIABETES_FEATS])
    frame["target"] = (frame["target"] - frame["target"].mean()) / frame["target"].std()
    return continuous_foldfile(frame, DIABETES_FEATS, folder / "diabetes", n_folds)


def continuous_foldfile(
    frame: pd.DataFrame, feats: list[str], savename: Path, n_folds: int, **options: Any
) -> FoldYielder:
    """``frame``'s continuous ``feats`` and float ``target`` as a fold file, opened.

    Args:
        frame: The table, with a ``target`` column.
        feats: The continuous input features.
        savename: Where the fold file goes (without its suffix).
        n_folds: How many folds to deal the rows into.
        **options: Further ``df2foldfile`` arguments (``strat_key``, ``wgt_feat``).
    """
    path = df2foldfile(
        frame,
        n_folds=n_folds,
        cont_feats=feats,
        cat_feats=[],
        targ_feats="target",
        savename=savename,
        targ_type="float32",
        **options,
    )
    return FoldYielder(path)


def builder(objective: str, feats: list[str], lr: float = 1e-2, width: int = 16) -> ModelBuilder:
    """A small fully connected network for ``objective`` over ``feats``."""
    return ModelBuilder(
        objective,
        cont_feats=feats,
        n_out=1,
        body=partial(FullyConnected, depth=2, width=width),
        opt_args={"opt": "adam", "lr": lr},
    )
