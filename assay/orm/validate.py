"""The argument checks of ``Splitset.make``: ids that load rows, counts, and samples that match.

Each check raises ``InvalidArgument`` (or ``NotFound`` for an unknown id) naming the argument,
before anything is written. The checks of the samples against their preprocessing (text
without a coder, gaps nothing fills) are ``assay.orm.preprocessing``'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assay.errors import InvalidArgument
from assay.orm.feature import Feature
from assay.orm.label import Label
from assay.orm.predictor import Predictor
from assay.orm.preprocessing import check_samples


def check_features(feature_ids: Any) -> list[Feature]:
    """Validate ``feature_ids`` (a non-empty list of distinct ints) and load the Features."""
    if isinstance(feature_ids, (int, np.integer)) and not isinstance(feature_ids, bool):
        feature_ids = [int(feature_ids)]
    if not isinstance(feature_ids, (list, tuple)) or not feature_ids:
        raise InvalidArgument(
            f"feature_ids must be a non-empty list of Feature ids; got {feature_ids!r}."
        )
    if len(set(feature_ids)) != len(feature_ids):
        raise InvalidArgument(f"feature_ids has duplicates: {list(feature_ids)!r}.")
    return [Feature.get_by_id(feature_id) for feature_id in feature_ids]


def check_label(label_id: int | None, features: list[Feature]) -> Label | None:
    """Load the Label (None: unsupervised); refuse one beside a windowed Feature.

    Raises:
        InvalidArgument: A Feature has a Window: its shifted windows are its target.
        NotFound: No Label has this id.
    """
    if label_id is None:
        return None
    label = Label.get_by_id(label_id)
    if any(feature.window is not None for feature in features):
        raise InvalidArgument(
            "label_id: a Feature with a Window is its own target (its shifted windows); "
            "leave label_id None for windowed, self-supervised data."
        )
    return label


def check_sample_count(features: list[Feature], label: Label | None) -> int:
    """The number of samples the Features (and Label) share; raise when they differ."""
    counts = {f"Feature {feature.id}": feature.sample_count() for feature in features}
    if label is not None:
        counts[f"Label {label.id}"] = label.sample_count()
    if len(set(counts.values())) > 1:
        raise InvalidArgument(
            f"feature_ids and label_id must have the same number of samples; got {counts}."
        )
    return next(iter(counts.values()))


def check_count(value: Any, argument: str, minimum: int) -> None:
    """Raise unless ``value`` is None or an int of at least ``minimum``.

    Args:
        value: The argument as given.
        argument: Its name, for the message.
        minimum: The smallest value allowed.
    """
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidArgument(f"{argument} must be None or an int >= {minimum}; got {value!r}.")


def as_python(value: Any) -> Any:
    """A numpy scalar (``np.float32(0.2)``, ``np.int64(3)``) as the Python number it holds."""
    return value.item() if isinstance(value, np.generic) else value


def check_stratify_col(column: Any, label: Label | None, feature: Feature) -> None:
    """Check ``unsupervised_stratify_col``: without a Label, a column of a Tabular Feature.

    Args:
        column: The argument as given, or None.
        label: The Label, which is stratified on already, or None.
        feature: The first Feature, whose column it must be.

    Raises:
        InvalidArgument: A column beside a Label, not of the Feature, or not Tabular.
    """
    if column is None:
        return
    if label is not None:
        raise InvalidArgument(
            "unsupervised_stratify_col is for Splitsets without a Label; this one has "
            f"Label {label.id}, which is stratified on already."
        )
    if column not in feature.columns:
        raise InvalidArgument(
            f"unsupervised_stratify_col must be a column of Feature {feature.id} "
            f"({feature.columns}); got {column!r}."
        )
    if feature.dataset.typ != "tabular":
        raise InvalidArgument(
            "unsupervised_stratify_col needs a Tabular Feature; Feature "
            f"{feature.id} is {feature.dataset.typ}."
        )


def check_predictor(predictor_id: int, features: list[Feature], label: Label | None) -> Predictor:
    """Load the Predictor of an inference Splitset and check its new samples against it.

    Args:
        predictor_id: The Predictor that will predict the new samples.
        features: The new samples' Features: as many as it was trained on, with the same
            columns.
        label: The new samples' Label, if any.

    Raises:
        InvalidArgument: Other Features than it was trained on, or samples its preprocessing
            cannot take (see ``check_samples``).
        NotFound: No Predictor has this id.
    """
    predictor = Predictor.get_by_id(predictor_id)
    trained_on = predictor.job.queue.splitset
    if len(features) != len(trained_on.feature_ids):
        raise InvalidArgument(
            f"feature_ids: Predictor {predictor.id} was trained on "
            f"{len(trained_on.feature_ids)} Feature(s); got {len(features)}."
        )
    for new, old in zip(features, trained_on.features, strict=True):
        if list(new.columns) != list(old.columns):
            raise InvalidArgument(
                f"feature_ids: Feature {new.id} has columns {new.columns}, but Predictor "
                f"{predictor.id} was trained on {old.columns}."
            )
    check_samples(features, label, trained_on)
    return predictor
