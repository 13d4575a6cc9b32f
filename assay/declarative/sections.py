"""The configuration's plain sections: trainer, splits and hyperopt.

Each is a dataclass whose fields are the section's keys with their defaults, documented in
its docstring, as the encoders document their parameters (see ``assay.declarative.params``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass
class TrainerSection:
    """How the model is trained (``trainer:``).

    Args:
        epochs: Passes over the training samples (fewer with early_stopping).
        batch_size: Samples per gradient step.
        learning_rate: The optimizer's learning rate.
        optimizer: adam, adamw, adamax, sgd or rmsprop.
        early_stopping: Stop after this many epochs without a lower evaluation loss, and
            keep the weights of the best epoch (None: train every epoch).
        seed: Seeds the weights and the order of the batches, so a run can be repeated
            (None: a fresh seed each run).
    """

    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 0.001
    optimizer: Literal["adam", "adamw", "adamax", "sgd", "rmsprop"] = "adam"
    early_stopping: int | None = None
    seed: int | None = 0


@dataclass
class SplitsSection:
    """How the samples are split (``splits:``); assay stratifies by the output feature.

    Args:
        test_size: The fraction of samples in the test split (None: no test split).
        validation_size: The fraction in the validation split, scored every epoch and used
            by early stopping and hyperopt (None: none; needs test_size).
        folds: Cross-validation folds of the training split (None: no folds); one model is
            trained per fold.
        stratify: Stratify a numerical output by quantile bins (category and binary
            outputs are always stratified by class).
        bin_count: How many quantile bins, with stratify.
    """

    test_size: float | None = 0.2
    validation_size: float | None = 0.1
    folds: int | None = None
    stratify: bool = True
    bin_count: int = 4


@dataclass
class HyperoptSection:
    """A hyperparameter search (``hyperopt:``), run by ``assay hyperopt``.

    Args:
        parameters: The search space by dotted name (``trainer.learning_rate``,
            ``combiner.fc_size``, ``<feature name>.encoder.<parameter>``,
            ``<feature name>.decoder.<parameter>``), each a spec: ``{type: float or int,
            low, high, steps, scale: linear or log}`` or ``{type: category, values: [...]}``.
        sampler: ``grid``, ``random``, ``tpe``, ``gp`` (or a registered one), or a mapping
            with ``type`` and the sampler's options, e.g. ``{type: tpe, seed: 0}``.
        executor: ``serial``, ``parallel``, ``dask`` (or a registered one), or a mapping with
            ``type`` and its options, e.g. ``{type: parallel, max_workers: 2}``.
        goal: minimize or maximize the metric.
        metric: The metric that scores a trial: loss, or any metric assay computes for the
            output's analysis type (accuracy, f1_weighted, roc_auc, r2, rmse...).
        split: The split the metric is read on: train, validation or test.
        n_trials: The most trials (None: until the sampler is done, e.g. the whole grid).
    """

    parameters: dict
    sampler: str | dict = "grid"
    executor: str | dict = "serial"
    goal: Literal["minimize", "maximize"] = "minimize"
    metric: str = "loss"
    split: Literal["train", "validation", "test"] = "validation"
    n_trials: int | None = None
