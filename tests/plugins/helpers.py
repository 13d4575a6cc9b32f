"""Small data for the plug-in tests: iris, scaled, with a one-hot or ordinal label."""

from __future__ import annotations

from sklearn.datasets import load_iris
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from assay.mlops import Input, Pipeline, Stratifier, Target


def iris_splitset(one_hot: bool):
    """Iris with a validation and a test split; the species one-hot or ordinal."""
    frame = load_iris(as_frame=True).frame
    return Pipeline(
        Input(frame.drop(columns="target"), encoders=Input.Encoder(StandardScaler())),
        Target(
            frame[["target"]],
            column="target",
            encoder=OneHotEncoder(sparse_output=False) if one_hot else OrdinalEncoder(),
        ),
        Stratifier(size_test=0.2, size_validation=0.2),
    )


def iris_rows():
    """Raw rows to predict, as a user hands them over."""
    return load_iris(as_frame=True).frame.drop(columns="target").iloc[::10]
