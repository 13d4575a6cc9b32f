"""The Splitset-making service: where each sample goes, written as rows in one transaction.

``Splitset.make`` checks its arguments (``assay.orm.validate``) and hands over here.
``make_splits`` gathers what to stratify on from the rows (``stratify_on``), lets
``assay.preprocess.stratify`` draw the splits and folds, and writes the Splitset, its
Features' positions and its Folds; ``make_inference`` puts every new sample of a Predictor
in one ``infer_<n>`` split. The rows' classes are imported late: ``assay.orm`` imports this.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.config import cache_dir
from assay.store import transaction
from assay.store.session import lock_table

if TYPE_CHECKING:
    from assay.orm.feature import Feature
    from assay.orm.label import Label
    from assay.orm.predictor import Predictor
    from assay.orm.splitset import Splitset


@dataclass(frozen=True)
class SplitSettings:
    """How ``Splitset.make`` was asked to divide the samples, every value checked already."""

    size_test: float | None
    size_validation: float | None
    bin_count: int | None
    fold_count: int | None
    #: Without a Label, the column of the first Feature to stratify by.
    stratify_col: str | None


def make_splits(
    features: list[Feature],
    label: Label | None,
    sample_count: int,
    settings: SplitSettings,
    *,
    name: str | None,
    description: str | None,
) -> Splitset:
    """Stratify the samples into splits (and folds) and write the Splitset and its Folds.

    Args:
        features: The Features, in order.
        label: The Label, or None for unsupervised data.
        sample_count: How many samples the Features (and Label) share.
        settings: The sizes, counts and stratification column.
        name: Versions Splitsets: a new one with this name gets the next version.
        description: What is unique about this Splitset.

    Raises:
        InvalidArgument: Too few samples of a class for the splits or folds, or a named
            version identical to an earlier one.
    """
    from assay.orm.fold import Fold
    from assay.orm.splitset import Splitset
    from assay.orm.versioning import next_version, version_attributes
    from assay.preprocess import stratify

    strata = stratify_on(features[0], label, settings.stratify_col, settings.bin_count)
    samples = stratify.split_samples(
        sample_count, strata, size_test=settings.size_test, size_validation=settings.size_validation
    )
    folds = []
    if settings.fold_count is not None:
        folds = stratify.make_folds(samples["train"], strata, settings.fold_count)
    values = splitset_values(features, label, settings, samples)
    with transaction() as db:
        version = next_version(db, Splitset, name, version_attributes(values))
        splitset = Splitset(
            name=name,
            description=description,
            version=version,
            cache_path=new_cache_path(),
            **values,
        )
        add_with_features(db, splitset, features)
        for idx, fold_samples in enumerate(stratify.fold_samples(folds, samples)):
            db.add(Fold(splitset_id=splitset.id, idx=idx, samples=fold_samples))
    return splitset


def splitset_values(
    features: list[Feature],
    label: Label | None,
    settings: SplitSettings,
    samples: dict[str, np.ndarray],
) -> dict[str, Any]:
    """The columns of a new Splitset that its settings and drawn samples decide.

    Args:
        features: The Features, in order.
        label: The Label, or None.
        settings: The sizes, counts and stratification column.
        samples: The splits :func:`assay.preprocess.stratify.split_samples` drew.
    """
    from assay.preprocess import stratify

    has_validation = settings.size_validation is not None
    has_test = settings.size_test is not None
    return {
        "samples": {split: rows.tolist() for split, rows in samples.items()},
        "sizes": stratify.describe_sizes(samples),
        "supervision": supervision(label),
        "has_validation": has_validation,
        "has_test": has_test,
        "size_test": settings.size_test,
        "size_validation": settings.size_validation,
        "fold_count": settings.fold_count,
        "bin_count": settings.bin_count,
        "unsupervised_stratifyCol": settings.stratify_col,
        "feature_ids": [feature.id for feature in features],
        "label_id": None if label is None else label.id,
        **stratify.split_keys(has_validation, has_test, settings.fold_count),
    }


def make_inference(
    features: list[Feature],
    label: Label | None,
    sample_count: int,
    predictor: Predictor,
    *,
    name: str | None,
    description: str | None,
) -> Splitset:
    """Write an inference Splitset: every new sample in the Predictor's next ``infer_<n>``.

    Args:
        features: The new samples' Features (checked against the Predictor's).
        label: Their Label, if any, for metrics.
        sample_count: How many new samples there are.
        predictor: The Predictor that will predict them.
        name: A name for the Splitset.
        description: What is unique about these samples.
    """
    from assay.orm.splitset import Splitset

    with transaction() as db:
        lock_table(db, Splitset.__tablename__)
        key = next_inference_key(db, predictor.id)
        splitset = Splitset(
            name=name,
            description=description,
            cache_path=new_cache_path(),
            samples={key: list(range(sample_count))},
            sizes={key: {"percent": 1.0, "count": sample_count}},
            supervision=supervision(label),
            has_validation=False,
            has_test=False,
            size_test=None,
            size_validation=None,
            fold_count=None,
            bin_count=None,
            unsupervised_stratifyCol=None,
            key_train=None,
            key_evaluation=None,
            key_test=None,
            feature_ids=[feature.id for feature in features],
            label_id=None if label is None else label.id,
            predictor_id=predictor.id,
        )
        add_with_features(db, splitset, features)
    return splitset


def next_inference_key(db: Session, predictor_id: int) -> str:
    """The split name of a Predictor's next inference Splitset (call it holding the lock).

    One past the highest key so far: a deleted inference Splitset leaves a gap, and counting
    the ones left would hand out a key that another still holds.
    """
    from assay.orm.splitset import Splitset

    taken = db.scalars(select(Splitset.sizes).where(Splitset.predictor_id == predictor_id))
    count = max((int(key.split("_")[-1]) + 1 for sizes in taken for key in sizes), default=0)
    return f"infer_{count}"


def add_with_features(db: Session, splitset: Splitset, features: list[Feature]) -> None:
    """Add a new Splitset (flushed, for its id) and the positions of its Features.

    Args:
        db: The transaction that writes it.
        splitset: The new row.
        features: Its Features, in order.
    """
    from assay.orm.splitset import SplitsetFeature

    db.add(splitset)
    db.flush()
    for position, feature in enumerate(features):
        db.add(SplitsetFeature(splitset_id=splitset.id, feature_id=feature.id, position=position))


def new_cache_path() -> str:
    """A fresh folder for a new Splitset's samples cache."""
    return str(cache_dir() / f"splitset_{uuid.uuid4().hex}")


def supervision(label: Label | None) -> str:
    """``'supervised'`` with a Label, else ``'unsupervised'``."""
    return "supervised" if label is not None else "unsupervised"


def stratify_on(
    feature: Feature, label: Label | None, column: str | None, bin_count: int | None
) -> np.ndarray | None:
    """One value per sample to stratify by: the Label's class or bin, or a Feature column.

    Args:
        feature: The first Feature of the Splitset (for an unsupervised column).
        label: The Label, or None for unsupervised data.
        column: Without a Label, the Feature's column to stratify by (checked by
            ``assay.orm.validate.check_stratify_col``), or None.
        bin_count: Quantile bins for continuous values; None leaves a continuous Label
            unstratified.
    """
    from assay.preprocess import stratify

    if label is not None:
        values = label_values_to_stratify(label)
        return stratify.label_strata(values, continuous=label.is_continuous(), bin_count=bin_count)
    if column is None:
        return None
    values = feature.to_df(columns=[column])[column].to_numpy()
    window = feature.window
    if window is not None:
        # A window is stratified by the value at its first timestep.
        values = values[window.unshifted_indices()[:, 0]]
    return stratify.column_strata(values, column=column, bin_count=bin_count)


def label_values_to_stratify(label: Label) -> np.ndarray:
    """The Label's values, with gaps filled by its LabelInterpolater over every row.

    The filled values only choose each sample's stratum (a quantile bin); no model sees
    them: when the cache is built the training rows are still interpolated alone.
    """
    from assay.preprocess import interpolate

    frame = label.to_df()
    interpolaters = label.labelinterpolaters
    if interpolaters and frame.isna().to_numpy().any():
        frame = interpolate.interpolate_frame(frame, interpolaters[0].interpolate_kwargs)
    return frame.to_numpy()
