"""A small multi-class classifier of each built-in library: what ``Adapter.example`` returns.

The conformance suite (``tests/plugins/test_conformance.py``) trains one model of every
registered library on the same table and checks it the same way; a plug-in library gives
its own ``Example``. Each pair takes a 2-D table of numbers and a label of 3 classes (ordinal,
or one-hot where ``one_hot_label``), trains in well under a second, and predicts with the
library's default ``fn_predict``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    """A library's small multi-class classifier, for checks that train every library alike.

    Attributes:
        fn_build: ``fn_build(features_shape, label_shape, **hp)``.
        fn_train: ``fn_train(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp)``.
        one_hot_label: Whether the label is one-hot encoded (else one ordinal column).
    """

    fn_build: Callable[..., Any]
    fn_train: Callable[..., Any]
    one_hot_label: bool = False


def sklearn_build(features_shape: Any, label_shape: Any, **hp: Any) -> Any:
    """A logistic regression."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=500)


def estimator_train(
    model: Any, loser: Any, optimizer: Any, train_x: Any, train_y: Any, *evaluation: Any, **hp: Any
) -> Any:
    """Fit an estimator on the training samples."""
    return model.fit(train_x, train_y.ravel())


def xgboost_build(features_shape: Any, label_shape: Any, **hp: Any) -> Any:
    """Twelve trees of depth 3."""
    from xgboost import XGBClassifier

    return XGBClassifier(n_estimators=12, max_depth=3, n_jobs=1)


def pytorch_build(features_shape: Any, label_shape: Any, **hp: Any) -> Any:
    """One hidden layer of 12 units."""
    import torch

    return torch.nn.Sequential(
        torch.nn.Linear(features_shape[0], 12), torch.nn.ReLU(), torch.nn.Linear(12, label_shape[0])
    )


def pytorch_train(
    model: Any,
    loser: Any,
    optimizer: Any,
    train_x: Any,
    train_y: Any,
    eval_x: Any,
    eval_y: Any,
    **hp: Any,
) -> Any:
    """Six epochs of ``assay.utils.pytorch.fit``."""
    from assay.utils.pytorch import fit

    return fit(model, loser, optimizer, train_x, train_y, eval_x, eval_y, epochs=6, batch_size=16)


def keras_build(features_shape: Any, label_shape: Any, **hp: Any) -> Any:
    """One hidden layer of 12 units, softmax outputs."""
    from assay.train.adapters.keras import import_keras

    keras = import_keras()

    return keras.Sequential(
        [
            keras.Input(shape=features_shape),
            keras.layers.Dense(12, activation="relu"),
            keras.layers.Dense(label_shape[0], activation="softmax"),
        ]
    )


def keras_train(
    model: Any,
    loser: Any,
    optimizer: Any,
    train_x: Any,
    train_y: Any,
    eval_x: Any,
    eval_y: Any,
    **hp: Any,
) -> Any:
    """Four epochs, validated on the evaluation samples."""
    model.compile(loss=loser, optimizer=optimizer)
    model.fit(
        train_x,
        train_y,
        validation_data=(eval_x, eval_y),
        epochs=4,
        batch_size=16,
        verbose=0,
    )
    return model


EXAMPLES = {
    "sklearn": Example(sklearn_build, estimator_train),
    "xgboost": Example(xgboost_build, estimator_train),
    "pytorch": Example(pytorch_build, pytorch_train, one_hot_label=True),
    "keras": Example(keras_build, keras_train, one_hot_label=True),
}
