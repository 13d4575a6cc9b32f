"""Trained Predictors of every library, with the preprocessing a pkl file must carry.

Iris with its species as text (decoded back by the Label's coder), a text column one-hot
encoded, gaps filled by an imputer and the measurements scaled: a Predictor whose
``predict(df)`` needs every fitted step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes, load_iris
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from assay.mlops import Architecture, Experiment, Input, Pipeline, Stratifier, Target, Trainer

MEASUREMENTS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
SPECIES = ["setosa", "versicolor", "virginica"]
LIBRARIES = ["sklearn", "xgboost", "pytorch", "keras"]


def iris() -> pd.DataFrame:
    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(SPECIES, dtype=object)[frame.pop("target")]
    frame["site"] = np.array(["north", "south", "east"], dtype=object)[np.arange(len(frame)) % 3]
    frame.loc[frame.index % 17 == 0, "sepal width (cm)"] = np.nan
    return frame


def new_rows() -> pd.DataFrame:
    """Raw rows to predict: unseen gaps the imputer fills, text the encoder takes."""
    frame = iris().drop(columns="species").iloc[2::6].reset_index(drop=True)
    frame.loc[[0, 4], "petal length (cm)"] = np.nan
    return frame


# -- one pair of functions per library -----------------------------------------------------


def sk_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=500)


def sk_train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def xgb_build(features_shape, label_shape, **hp):
    from xgboost import XGBClassifier

    return XGBClassifier(n_estimators=12, max_depth=3)


def torch_build(features_shape, label_shape, **hp):
    import torch

    return torch.nn.Sequential(
        torch.nn.Linear(features_shape[0], 12), torch.nn.ReLU(), torch.nn.Linear(12, 3)
    )


def torch_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    from assay.utils.pytorch import fit

    return fit(
        model,
        loser,
        optimizer,
        train_features,
        train_label,
        eval_features,
        eval_label,
        epochs=6,
        batch_size=16,
    )


def keras_build(features_shape, label_shape, **hp):
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=features_shape),
            keras.layers.Dense(12, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


def keras_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    model.compile(loss=loser, optimizer=optimizer)
    model.fit(train_features, train_label, epochs=4, batch_size=16, verbose=0)
    return model


FUNCTIONS = {
    "sklearn": (sk_build, sk_train),
    "xgboost": (xgb_build, sk_train),
    "pytorch": (torch_build, torch_train),
    "keras": (keras_build, keras_train),
}


def trained(library: str):
    """A Predictor of ``library`` classifying iris species from raw rows (see the module)."""
    frame = iris()
    one_hot = library in ("pytorch", "keras")
    splitset = Pipeline(
        Input(
            frame.drop(columns="species"),
            imputers=Input.Imputer(SimpleImputer(strategy="median"), columns=MEASUREMENTS),
            encoders=[
                Input.Encoder(OneHotEncoder(), columns=["site"]),
                Input.Encoder(StandardScaler(), columns=MEASUREMENTS),
            ],
        ),
        Target(
            frame[["species"]],
            column="species",
            encoder=OneHotEncoder(sparse_output=False) if one_hot else OrdinalEncoder(),
        ),
        Stratifier(size_test=0.2),
    )
    build, train = FUNCTIONS[library]
    queue = Experiment(
        Architecture(library, "classification_multi", build, train),
        Trainer(splitset, permute_count=0),
    )
    queue.run_jobs(progress=False)
    assert queue.runs[0].status == "succeeded", queue.runs[0].traceback
    return queue.predictors[0]


def ridge_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import Ridge

    return Ridge(alpha=1.0)


def trained_regression():
    """A scikit-learn Ridge on diabetes, its target scaled (predictions are decoded back)."""
    frame = load_diabetes(as_frame=True).frame
    splitset = Pipeline(
        Input(frame.drop(columns="target"), encoders=Input.Encoder(StandardScaler())),
        Target(frame[["target"]], column="target", encoder=StandardScaler()),
        Stratifier(size_test=0.2),
    )
    queue = Experiment(
        Architecture("sklearn", "regression", ridge_build, sk_train),
        Trainer(splitset, permute_count=0),
    )
    queue.run_jobs(progress=False)
    assert queue.runs[0].status == "succeeded", queue.runs[0].traceback
    return queue.predictors[0], frame.drop(columns="target").iloc[::40].reset_index(drop=True)


def flat_train(
    model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp
):
    return model.fit(train_features, train_label.reshape(len(train_label), -1))


def flat_predict(model, features):
    """Each window's future as (steps, columns), as the windowed targets are shaped."""
    return model.predict(features).reshape(len(features), 3, -1)


def trained_windowed():
    """A Ridge from each 10-step window (interpolated, scaled, flattened by a shaper) to the
    next 3 steps, self-supervised; its ``fn_predict`` travels with the model."""
    steps = np.arange(160, dtype=np.float64)
    series = pd.DataFrame({"level": np.sin(steps / 6) * 10 + 50, "season": steps % 12})
    series.loc[[7, 50, 51], "level"] = np.nan
    splitset = Pipeline(
        Input(
            series.iloc[:120],
            interpolaters=Input.Interpolater(),
            window=Input.Window(size_window=10, size_shift=3),
            encoders=Input.Encoder(StandardScaler()),
            reshape_indices=(0, (1, 2)),
        ),
        stratifier=Stratifier(size_test=0.2),
    )
    queue = Experiment(
        Architecture("sklearn", "regression", ridge_build, flat_train, fn_predict=flat_predict),
        Trainer(splitset, permute_count=0),
    )
    queue.run_jobs(progress=False)
    assert queue.runs[0].status == "succeeded", queue.runs[0].traceback
    new = series.iloc[120:].reset_index(drop=True)
    new.loc[[4, 30], "level"] = np.nan  # the interpolater fills these
    return queue.predictors[0], new
