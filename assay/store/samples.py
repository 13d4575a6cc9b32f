"""The samples-cache service: how a Splitset's splits are preprocessed, written and read.

``resolve_preprocessing`` is the one place that decides which steps and which fitted coders
apply to a set of splits: a Splitset's own (fitted on ``train``), a Fold's (fitted on
``folds_train_combined``), or, for an inference Splitset, those its Predictor was trained
with. The files themselves are ``assay.store.cache``'s; the rows are passed in.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from assay.preprocess.fitted import FittedSteps
from assay.preprocess.pipeline import Steps, Windows

if TYPE_CHECKING:
    from assay.orm.feature import Feature
    from assay.orm.label import Label
    from assay.orm.splitset import Fold, Splitset

FOLD_TRAIN_KEY = "folds_train_combined"
SPLITSET_TRAIN_KEY = "train"


def resolve_preprocessing(splitset: Splitset, fold: Fold | None = None) -> FittedSteps:
    """How the samples of a Splitset (or one of its Folds) are preprocessed, coders fitted.

    A Splitset's own coders are fitted on ``train``, a Fold's on ``folds_train_combined``;
    an inference Splitset takes the steps and fitted coders of its Predictor's Fold, or of
    the Splitset it was trained on. Coders never fitted yet are fitted by caching that
    Splitset's samples first.

    Args:
        splitset: A Splitset, or an inference Splitset (made with ``predictor_id``).
        fold: One of ``splitset``'s Folds, or None for the Splitset's own splits.
    """
    if splitset.predictor_id is not None:
        return _for_inference(splitset)
    source: Any = splitset if fold is None else fold
    if source.fitted_featurecoders is None:
        splitset.cache_samples()
        source = splitset if fold is None else type(fold).get_by_id(fold.id)
    train_key = SPLITSET_TRAIN_KEY if fold is None else FOLD_TRAIN_KEY
    steps = recipe(splitset.features, splitset.label).to_fit(train_key)
    return steps.with_fitted(source.fitted_featurecoders, source.fitted_labelcoder)


def _for_inference(splitset: Splitset) -> FittedSteps:
    """An inference Splitset's preprocessing: the trained steps and coders, its own Windows."""
    predictor = splitset.predictor
    job = predictor.job
    trained = job.queue.splitset
    source: Any = trained if job.fold_id is None else job.fold
    if source.fitted_featurecoders is None:
        trained.cache_samples()
        source = trained if job.fold_id is None else type(source).get_by_id(job.fold_id)
    label = splitset.label
    steps = recipe(trained.features, trained.label)
    windows = [windows_of(feature) for feature in splitset.features]
    return dataclasses.replace(
        steps,
        features=[
            dataclasses.replace(own, windows=window)
            for own, window in zip(steps.features, windows, strict=True)
        ],
        # The trained Label's steps apply to new targets; without one, the new Label's own.
        label=steps.label if steps.label is not None or label is None else label.steps(),
        has_label=label is not None,
        train_key=None,
        fitted_features=source.fitted_featurecoders,
        fitted_label=source.fitted_labelcoder,
    )


def recipe(features: list[Feature], label: Label | None) -> FittedSteps:
    """The recorded steps of some Features and a Label, not fitted (``train_key`` None)."""
    feature_steps = [feature.steps() for feature in features]
    return FittedSteps(
        features=feature_steps,
        label=None if label is None else label.steps(),
        has_label=label is not None,
        fitted_features=None,
        fitted_label=None,
        train_key=None,
        class_names=class_names(label),
        feature_names=[feature.encoded_column_names() for feature in features],
        image_features=frozenset(
            at for at, feature in enumerate(features) if feature.dataset.typ == "image"
        ),
        feature_ids=[feature.id for feature in features],
        target_feature=target_feature(feature_steps),
    )


def class_names(label: Label | None) -> list[Any] | None:
    """The classes in ordinal order (what index i of a prediction means), or None."""
    if label is None or label.is_continuous():
        return None
    if label.column_count > 1:
        return list(label.columns)
    return list(label.unique_classes)


def target_feature(steps: list[Steps]) -> int | None:
    """The position of the first Feature whose windows have a future (targets), or None."""
    for at, one in enumerate(steps):
        if one.windows is not None and one.windows.shifted is not None:
            return at
    return None


def windows_of(feature: Feature) -> Windows | None:
    """A Feature's Window as the pipeline's ``Windows``, or None."""
    window = feature.window
    if window is None:
        return None
    return Windows(window.unshifted_indices(), window.shifted_indices())
