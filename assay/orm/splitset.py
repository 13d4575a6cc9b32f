"""Splitset (section 8): samples stratified into splits and cross-validation folds.

A Splitset groups the data side of an experiment (Features, a Label, the splits) and is
what the high-level API calls a Pipeline. ``cache_samples`` preprocesses every split and fold
once, each fitted on its own training samples, into ``.npy`` files that training reads.

The row checks its arguments (``assay.orm.validate``) and delegates: ``assay.store.splits``
makes Splitsets, ``assay.store.samples`` caches them, and the ``SplitsetHandoff`` methods
(``assay.orm.splitset_handoff``) hand their splits to model libraries. ``Fold``
(``assay.orm.fold``) and the helpers that lived here stay importable from this module.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.config import cache_dir
from assay.errors import InvalidArgument, NotFound
from assay.orm.base import BaseModel, Deletable, Pickled, check_text, id_method, related
from assay.orm.fold import Fold
from assay.orm.preprocessing import check_encodable, check_samples
from assay.orm.splitset_handoff import LIBRARIES as LIBRARIES
from assay.orm.splitset_handoff import SplitsetHandoff
from assay.orm.validate import (
    as_python,
    check_count,
    check_features,
    check_label,
    check_predictor,
    check_sample_count,
    check_stratify_col,
)
from assay.orm.versioning import BASE_COLUMNS as BASE_COLUMNS
from assay.orm.versioning import VERSION_EXCLUDES as VERSION_EXCLUDES
from assay.orm.versioning import next_version as next_version
from assay.orm.versioning import version_attributes as version_attributes
from assay.store import splits, transaction
from assay.store.splits import label_values_to_stratify as label_values_to_stratify
from assay.store.splits import stratify_on as stratify_on

if TYPE_CHECKING:
    from assay.orm.feature import Feature
    from assay.orm.label import Label
    from assay.orm.predictor import Prediction, Predictor


class SplitsetFeature(BaseModel):
    """Which Features a Splitset uses, in order (several Features: multi-modal data)."""

    __tablename__ = "splitset_feature"

    position: Mapped[int]
    splitset_id: Mapped[int] = mapped_column(
        ForeignKey("splitset.id", ondelete="CASCADE"), index=True
    )
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("feature.id", ondelete="CASCADE"), index=True
    )


class Splitset(Deletable, SplitsetHandoff, BaseModel):
    """Samples stratified into train, validation and test, and optionally into folds."""

    __tablename__ = "splitset"

    cache_path: Mapped[str] = mapped_column(String(4096))
    cache_hot: Mapped[bool] = mapped_column(default=False)
    samples: Mapped[dict] = mapped_column(JSON)
    sizes: Mapped[dict] = mapped_column(JSON)
    supervision: Mapped[str] = mapped_column(String(16))
    has_validation: Mapped[bool]
    has_test: Mapped[bool]
    size_test: Mapped[float | None]
    size_validation: Mapped[float | None]
    fold_count: Mapped[int | None]
    bin_count: Mapped[int | None]
    unsupervised_stratifyCol: Mapped[str | None] = mapped_column(String(255))
    key_train: Mapped[str | None] = mapped_column(String(32))
    key_evaluation: Mapped[str | None] = mapped_column(String(32))
    key_test: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int | None]
    feature_ids: Mapped[list] = mapped_column(JSON)
    fitted_featurecoders: Mapped[Any] = mapped_column(Pickled, nullable=True)
    fitted_labelcoder: Mapped[Any] = mapped_column(Pickled, nullable=True)
    label_id: Mapped[int | None] = mapped_column(
        ForeignKey("label.id", ondelete="CASCADE"), index=True
    )
    # The Predictor table comes later in the schema's life; the link is checked on write.
    predictor_id: Mapped[int | None] = mapped_column(Integer, index=True)

    # -- relationships -------------------------------------------------------------------

    features_: Mapped[list[Feature]] = relationship(
        "Feature",
        secondary="splitset_feature",
        viewonly=True,
        order_by="SplitsetFeature.position",
    )
    label_: Mapped[Label | None] = relationship("Label", viewonly=True)
    folds_: Mapped[list[Fold]] = relationship("Fold", viewonly=True, order_by="Fold.idx")
    predictor_: Mapped[Predictor | None] = relationship(
        "Predictor", primaryjoin="foreign(Splitset.predictor_id) == Predictor.id", viewonly=True
    )

    @property
    def features(self) -> list[Feature]:
        """The Features, in the order they were given (read through splitset_feature)."""
        return related(self, "features_")

    @property
    def label(self) -> Label | None:
        """The Label that supervises this Splitset, if any."""
        return related(self, "label_")

    @property
    def folds(self) -> list[Fold]:
        """The cross-validation Folds, by idx."""
        return related(self, "folds_")

    @property
    def predictor(self) -> Predictor | None:
        """The Predictor this inference Splitset belongs to, if any."""
        return related(self, "predictor_")

    # -- making --------------------------------------------------------------------------

    @classmethod
    def make(
        cls,
        feature_ids: list[int],
        label_id: int | None = None,
        size_test: float | None = None,
        size_validation: float | None = None,
        bin_count: int | None = None,
        fold_count: int | None = None,
        unsupervised_stratify_col: str | None = None,
        name: str | None = None,
        description: str | None = None,
        predictor_id: int | None = None,
    ) -> Splitset:
        """Stratify the samples of some Features (and a Label) into splits and folds.

        Args:
            feature_ids: One Feature id, or several for multi-modal data; all must have the
                same number of samples (windows, for a Feature with a Window).
            label_id: The Label to predict; None means unsupervised.
            size_test: Fraction of samples for the test split (0 < size < 1).
            size_validation: Fraction of samples for the validation split; needs size_test.
            bin_count: Quantile bins to stratify a continuous Label (or the unsupervised
                stratification column) by; without it continuous values are not stratified.
            fold_count: Cross-validation folds made from the train split.
            unsupervised_stratify_col: Without a Label, a column of the first Feature to
                stratify by.
            name: Versions pipelines: a new Splitset with this name gets the next version.
            description: What is unique about this pipeline.
            predictor_id: Make an inference Splitset of new samples for this Predictor: every
                sample goes to ``infer_<n>`` and preprocessing reuses the Predictor's coders.

        Raises:
            InvalidArgument: Bad sizes or counts, Features and Label whose sample counts
                differ, too few samples of a class for the splits or folds, a Window with a
                Label, or a version identical to an existing one.
        """
        from assay.preprocess import stratify

        check_text(name, "name")
        check_text(description, "description")
        features = check_features(feature_ids)
        label = check_label(label_id, features)
        sample_count = check_sample_count(features, label)
        check_count(bin_count, "bin_count", minimum=2)
        check_count(fold_count, "fold_count", minimum=2)
        if predictor_id is not None:
            predictor = check_predictor(predictor_id, features, label)
            return splits.make_inference(
                features, label, sample_count, predictor, name=name, description=description
            )
        size_test, size_validation = stratify.check_sizes(size_test, size_validation)
        check_samples(features, label)
        check_stratify_col(unsupervised_stratify_col, label, features[0])
        settings = splits.SplitSettings(
            size_test=size_test,
            size_validation=size_validation,
            bin_count=as_python(bin_count),
            fold_count=as_python(fold_count),
            stratify_col=unsupervised_stratify_col,
        )
        return splits.make_splits(
            features, label, sample_count, settings, name=name, description=description
        )

    def check_encodable(self) -> None:
        """Raise unless every column reaching the samples cache is numbers or has a coder.

        Coders may be added after the Splitset is made; a Queue checks again before it is
        made, so that a run never fails on text it cannot cache.

        Raises:
            InvalidArgument: See ``check_encodable``.
        """
        trained = None if self.predictor_id is None else self.predictor.fit_splitset()
        check_encodable(self.features, self.label, trained)

    # -- the samples cache ---------------------------------------------------------------

    def inference_key(self) -> str | None:
        """``infer_<n>`` for an inference Splitset, else None."""
        if self.predictor_id is None:
            return None
        return next(iter(self.samples))

    @id_method
    def cache_samples(self) -> Splitset:
        """Preprocess every split (and every fold) once and write the arrays to the cache.

        Each fold is fitted on its ``folds_train_combined`` samples, the Splitset itself on
        ``train``; an inference Splitset reuses the Predictor's fitted coders. The cache is
        marked hot only once every file is in place, so an interrupted run never looks done.
        """
        from assay.store import samples

        return samples.cache_samples(self)

    @property
    def cache_is_hot(self) -> bool:
        """Whether every cached file is in place (checks the disk, not only the flag)."""
        from assay.store import cache

        return self.cache_hot and cache.is_hot(Path(self.cache_path))

    @id_method
    def clear_cache(self) -> Splitset:
        """Delete this Splitset's cached samples (they are rebuilt when needed)."""
        from assay.store import cache

        cache.clear(Path(self.cache_path))
        return self.update_columns(cache_hot=False)

    @classmethod
    def clear_cache_all(cls) -> None:
        """Delete the cached samples of every Splitset."""
        root = cache_dir()
        shutil.rmtree(root, ignore_errors=True)
        with transaction() as db:
            for row in db.scalars(select(cls).where(cls.cache_hot.is_(True))):
                row.cache_hot = False

    @id_method
    def infer(self) -> Prediction:
        """Run this inference Splitset's Predictor over its samples; returns the Prediction.

        Predictions are decoded into the trained Label's values; when this Splitset has a
        Label of its own, metrics are computed against it as well.
        """
        from assay.evaluate.predict import evaluate_splits
        from assay.orm.predictor import Prediction
        from assay.train.model import TrainedModel

        if self.predictor_id is None:
            raise InvalidArgument(
                f"Splitset {self.id} is not an inference Splitset; make one with "
                "Splitset.make(..., predictor_id=...)."
            )
        key = self.inference_key()
        data = {key: self.arrays(key)}
        evaluation = evaluate_splits(TrainedModel.of_predictor(self.predictor_id, self), data)
        # Without a target of its own nothing is scored: no metrics rather than empty ones.
        unscored = dataclasses.replace(evaluation, metrics=evaluation.metrics or None)
        return Prediction.record(self.predictor_id, self.id, unscored)

    def _repr_html_(self) -> str:
        """A compact table of this Splitset for notebooks (see ``assay.notebook``)."""
        from assay import notebook

        return notebook.splitset_html(self)


__all__ = ["Fold", "NotFound", "Splitset", "SplitsetFeature"]
