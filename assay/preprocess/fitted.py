"""How one set of splits is preprocessed: each Feature's steps, the Label's, their fitted coders.

A Splitset is preprocessed with its own steps fitted on ``train``; each of its Folds with the
same steps fitted on ``folds_train_combined``; an inference Splitset with the steps its
Predictor was trained with and that Predictor's fitted coders, never refitted. ``FittedSteps``
is that answer as one value, so that caching, evaluation, importance and inference all read
it rather than deciding it again. ``assay.store.samples.resolve_preprocessing`` builds it
from the rows; everything here is pure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from assay.preprocess.pipeline import Steps, decode_block


@dataclass(frozen=True)
class FittedSteps:
    """The preprocessing of one set of splits (a Splitset's, a Fold's, or inference samples').

    Attributes:
        features: Each Feature's steps, in order (inference: the trained Feature's steps with
            the new Feature's own Window).
        label: The Label's steps, which also decode predictions (inference: the trained
            Label's, even when the new samples have no Label); None when unsupervised.
        has_label: Whether these samples have a Label of their own to preprocess and score.
        fitted_features: Each Feature's fitted coders (in ``features[i].coders`` order);
            None until fitted on ``train_key``.
        fitted_label: The Label's fitted coders; None until fitted (or without a Label).
        train_key: The split the coders are fitted on: ``'train'``, ``'folds_train_combined'``,
            or None for inference (the coders come fitted).
        class_names: The classes in ordinal order (what index i of a prediction means), of the
            trained Label; None for regression and unsupervised models.
        feature_names: Each Feature's column names after encoding (its arrays' last axis).
        image_features: Positions of the Features of image Datasets (importance skips them).
        feature_ids: The Feature ids, in order (of the trained Features, for inference).
        target_feature: The position of the Feature whose shifted windows are the targets of
            a self-supervised model (as it was trained), or None.
    """

    features: list[Steps]
    label: Steps | None
    has_label: bool
    fitted_features: list[list[Any]] | None
    fitted_label: list[Any] | None
    train_key: str | None
    class_names: list[Any] | None
    feature_names: list[list[str]]
    image_features: frozenset[int]
    feature_ids: list[int]
    target_feature: int | None = None

    @property
    def is_fitted(self) -> bool:
        """Whether the coders are fitted (else ``train_key`` says where to fit them)."""
        return self.fitted_features is not None

    def to_fit(self, train_key: str) -> FittedSteps:
        """The same steps, unfitted, to be fitted on ``train_key``'s samples."""
        return dataclasses.replace(
            self, train_key=train_key, fitted_features=None, fitted_label=None
        )

    def with_fitted(self, features: list[list[Any]], label: list[Any] | None) -> FittedSteps:
        """The same steps with these fitted coders."""
        return dataclasses.replace(self, fitted_features=features, fitted_label=label)

    def label_decoder(self) -> tuple[Any, str] | None:
        """The Label's fitted coder and its encoding dimension, to decode predictions; or None."""
        if self.label is None or not self.label.coders or not self.fitted_label:
            return None
        return self.fitted_label[0], self.label.coders[0].dimension

    def window_decoder(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """A function that decodes windowed targets through their Feature's fitted coders.

        Windowed (self-supervised) targets are the encoded columns of the Feature with the
        Window; decoding them gives predictions and metrics in the series' own units. None
        when no Feature's windows are targets, or that Feature has no (fitted) coders.
        """
        if self.target_feature is None:
            return None
        steps = self.features[self.target_feature]
        if not steps.coders or not self.fitted_features:
            return None
        fitted = self.fitted_features[self.target_feature]
        return lambda values: decode_block(values, steps, fitted)
