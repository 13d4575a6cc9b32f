"""Splitset and Fold (section 8): stratified samples, cross-validation folds and their cache.

A Splitset groups the data side of an experiment (Features, a Label, the splits) and is
what the high-level API calls a Pipeline. ``cache_samples`` preprocesses every split and fold
once, each fitted on its own training samples, into ``.npy`` files that training reads.
"""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.config import cache_dir
from assay.errors import InvalidArgument, NotFound
from assay.orm.base import BaseModel, Deletable, Pickled, id_method, related
from assay.orm.dataset import check_text
from assay.orm.feature import Feature
from assay.orm.label import Label
from assay.orm.predictor import Predictor
from assay.orm.preprocessing import check_encodable, check_samples
from assay.store import transaction
from assay.store.session import lock_table

if TYPE_CHECKING:
    import pandas as pd
    import torch
    from torch.utils.data import DataLoader

    from assay.orm.predictor import Prediction
    from assay.store.samples import SplitArrays

LIBRARIES = (None, "numpy", "pytorch")


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


class Splitset(Deletable, BaseModel):
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
        label = None if label_id is None else Label.get_by_id(label_id)
        counts = {f"Feature {f.id}": f.sample_count() for f in features}
        if label is not None:
            if any(f.window is not None for f in features):
                raise InvalidArgument(
                    "label_id: a Feature with a Window is its own target (its shifted windows); "
                    "leave label_id None for windowed, self-supervised data."
                )
            counts[f"Label {label.id}"] = label.sample_count()
        if len(set(counts.values())) > 1:
            raise InvalidArgument(
                f"feature_ids and label_id must have the same number of samples; got {counts}."
            )
        sample_count = next(iter(counts.values()))
        check_count(bin_count, "bin_count", minimum=2)
        check_count(fold_count, "fold_count", minimum=2)
        bin_count, fold_count = as_python(bin_count), as_python(fold_count)
        if predictor_id is not None:
            return cls._make_inference(
                features, label, sample_count, predictor_id, name, description
            )
        size_test, size_validation = stratify.check_sizes(size_test, size_validation)
        check_samples(features, label)
        if unsupervised_stratify_col is not None and label is not None:
            raise InvalidArgument(
                "unsupervised_stratify_col is for Splitsets without a Label; this one has "
                f"Label {label.id}, which is stratified on already."
            )
        strata = stratify_on(features[0], label, unsupervised_stratify_col, bin_count)
        samples = stratify.split_samples(
            sample_count, strata, size_test=size_test, size_validation=size_validation
        )
        folds = []
        if fold_count is not None:
            folds = stratify.make_folds(samples["train"], strata, fold_count)
        keys = stratify.split_keys(size_validation is not None, size_test is not None, fold_count)
        values = {
            "samples": {split: rows.tolist() for split, rows in samples.items()},
            "sizes": stratify.describe_sizes(samples),
            "supervision": "supervised" if label is not None else "unsupervised",
            "has_validation": size_validation is not None,
            "has_test": size_test is not None,
            "size_test": size_test,
            "size_validation": size_validation,
            "fold_count": fold_count,
            "bin_count": bin_count,
            "unsupervised_stratifyCol": unsupervised_stratify_col,
            "feature_ids": [f.id for f in features],
            "label_id": None if label is None else label.id,
            **keys,
        }
        with transaction() as db:
            version = next_version(db, cls, name, version_attributes(values))
            splitset = cls(
                name=name,
                description=description,
                version=version,
                cache_path=str(cache_dir() / f"splitset_{uuid.uuid4().hex}"),
                **values,
            )
            db.add(splitset)
            db.flush()
            for position, feature in enumerate(features):
                db.add(
                    SplitsetFeature(
                        splitset_id=splitset.id, feature_id=feature.id, position=position
                    )
                )
            for idx, fold in enumerate(folds):
                fold_samples = {key: rows.tolist() for key, rows in fold.items()}
                for split in ("validation", "test"):
                    if split in samples:
                        fold_samples[split] = samples[split].tolist()
                db.add(Fold(splitset_id=splitset.id, idx=idx, samples=fold_samples))
        return splitset

    @classmethod
    def _make_inference(
        cls,
        features: list[Feature],
        label: Label | None,
        sample_count: int,
        predictor_id: int,
        name: str | None,
        description: str | None,
    ) -> Splitset:
        """An inference Splitset: every sample in ``infer_<n>`` of the Predictor."""
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
        with transaction() as db:
            lock_table(db, cls.__tablename__)
            # One past the highest key so far: a deleted inference Splitset leaves a gap, and
            # counting the ones left would hand out a key that another still holds.
            taken = db.scalars(select(cls.sizes).where(cls.predictor_id == predictor.id))
            count = max((int(k.split("_")[-1]) + 1 for sizes in taken for k in sizes), default=0)
            key = f"infer_{count}"
            rows = list(range(sample_count))
            splitset = cls(
                name=name,
                description=description,
                cache_path=str(cache_dir() / f"splitset_{uuid.uuid4().hex}"),
                samples={key: rows},
                sizes={key: {"percent": 1.0, "count": sample_count}},
                supervision="supervised" if label is not None else "unsupervised",
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
                feature_ids=[f.id for f in features],
                label_id=None if label is None else label.id,
                predictor_id=predictor.id,
            )
            db.add(splitset)
            db.flush()
            for at, feature in enumerate(features):
                db.add(SplitsetFeature(splitset_id=splitset.id, feature_id=feature.id, position=at))
        return splitset

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
    def fetch_cache(
        self,
        split: str,
        label_features: str,
        fold_id: int | None = None,
        library: str | None = None,
    ) -> Any:
        """Read one split's cached label or features (caching first if needed).

        Args:
            split: A key of ``samples`` (or of the Fold's samples).
            label_features: ``'label'`` or ``'features'``.
            fold_id: The Fold, for its samples.
            library: ``'pytorch'`` returns float tensors; None or ``'numpy'`` ndarrays.

        Returns:
            The label array (None when unsupervised and not windowed), or the features: one
            array, or a list of arrays when there are several Features.
        """
        from assay.train import handoff

        if label_features not in ("label", "features"):
            raise InvalidArgument(
                f"label_features must be 'label' or 'features'; got {label_features!r}."
            )
        if library not in LIBRARIES:
            raise InvalidArgument(f"library must be one of {LIBRARIES}; got {library!r}.")
        return handoff.part_of(self.arrays(split, fold_id), label_features, library)

    def fold_of(self, fold_id: int | None) -> Fold | None:
        """The Fold with this id, which must belong to this Splitset."""
        if fold_id is None:
            return None
        fold = Fold.get_by_id(fold_id)
        if fold.splitset_id != self.id:
            raise InvalidArgument(
                f"fold_id: Fold {fold_id} belongs to Splitset {fold.splitset_id}, not {self.id}."
            )
        return fold

    @id_method
    def arrays(self, split: str, fold_id: int | None = None) -> SplitArrays:
        """One split's preprocessed arrays (one per Feature, and the label), from the cache.

        Args:
            split: A key of ``samples`` (or of the Fold's samples).
            fold_id: The Fold, for its samples.
        """
        from assay.store import samples

        return samples.read_split(self, split, self.fold_of(fold_id))

    def split_arrays(self, split: str, fold_id: int | None = None) -> tuple[list, Any]:
        """One split's preprocessed features (always a list) and label, from the cache."""
        features, label = self.arrays(split, fold_id)
        return features, label

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

    # -- hand-off to model libraries, in the original sample order -----------------------

    @id_method
    def to_numpy(
        self, split: str, fold_id: int | None = None
    ) -> tuple[np.ndarray | list[np.ndarray], np.ndarray | None]:
        """``(features, label)`` of a split as ndarrays (a list when several Features)."""
        from assay.train import handoff

        return handoff.to_numpy(*self.arrays(split, fold_id))

    @id_method
    def to_pandas(
        self, split: str, fold_id: int | None = None
    ) -> tuple[pd.DataFrame | list[pd.DataFrame], pd.DataFrame | None]:
        """``(features, label)`` of a split as DataFrames named by their encoded columns."""
        from assay.train import handoff

        features, label = self.arrays(split, fold_id)
        names = [feature.encoded_column_names() for feature in self.features]
        target = self.label
        label_names = None
        if target is not None and label is not None:
            width = label.shape[1] if label.ndim == 2 else 1
            coded = target.labelcoder is not None
            label_names = handoff.label_column_names(list(target.columns), coded, width)
        return handoff.to_pandas(features, label, feature_columns=names, label_columns=label_names)

    @id_method
    def to_torch(
        self, split: str, fold_id: int | None = None
    ) -> tuple[torch.Tensor | list[torch.Tensor], torch.Tensor | None]:
        """``(features, label)`` of a split as float32 torch tensors."""
        from assay.train import handoff

        return handoff.to_torch(*self.arrays(split, fold_id))

    @id_method
    def to_dataloader(
        self, split: str, fold_id: int | None = None, batch_size: int = 32, shuffle: bool = False
    ) -> DataLoader:
        """A torch DataLoader over a split (in sample order unless ``shuffle``).

        Args:
            split: A key of ``samples`` (or of the Fold's samples).
            fold_id: The Fold, for its samples and the coders fitted on them.
            batch_size: Samples per batch.
            shuffle: Draw the samples in a new random order each epoch.
        """
        from assay.train import handoff

        arrays = self.arrays(split, fold_id)
        return handoff.to_dataloader(*arrays, batch_size=batch_size, shuffle=shuffle)

    @id_method
    def to_keras(
        self, split: str, fold_id: int | None = None
    ) -> tuple[np.ndarray | list[np.ndarray], np.ndarray | None]:
        """``(x, y)`` of a split ready for ``keras.Model.fit`` (x a list when several inputs)."""
        from assay.train import handoff

        return handoff.to_keras(*self.arrays(split, fold_id))

    def _repr_html_(self) -> str:
        """A compact table of this Splitset for notebooks (see ``assay.notebook``)."""
        from assay import notebook

        return notebook.splitset_html(self)


class Fold(BaseModel):
    """One cross-validation fold: which training samples fit, which one bin validates."""

    __tablename__ = "fold"

    idx: Mapped[int]
    samples: Mapped[dict] = mapped_column(JSON)
    fitted_featurecoders: Mapped[Any] = mapped_column(Pickled, nullable=True)
    fitted_labelcoder: Mapped[Any] = mapped_column(Pickled, nullable=True)
    splitset_id: Mapped[int] = mapped_column(
        ForeignKey("splitset.id", ondelete="CASCADE"), index=True
    )
    splitset_: Mapped[Splitset] = relationship("Splitset", viewonly=True)

    @property
    def splitset(self) -> Splitset:
        """The Splitset this Fold belongs to."""
        return related(self, "splitset_")


# -- helpers -------------------------------------------------------------------------------


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


def stratify_on(
    feature: Feature, label: Label | None, column: str | None, bin_count: int | None
) -> np.ndarray | None:
    """One value per sample to stratify by: the Label's class or bin, or a Feature column.

    Args:
        feature: The first Feature of the Splitset (for an unsupervised column).
        label: The Label, or None for unsupervised data.
        column: Without a Label, the Feature's column to stratify by, or None.
        bin_count: Quantile bins for continuous values; None leaves a continuous Label
            unstratified.
    """
    from assay.preprocess import stratify

    if label is not None:
        values = label_values_to_stratify(label)
        if label.column_count > 1:
            return stratify.stratify_values(values, kind="onehot")
        if label.is_continuous():
            if bin_count is None:
                return None
            return stratify.stratify_values(values, kind="continuous", bin_count=bin_count)
        return stratify.stratify_values(values, kind="categorical")
    if column is None:
        return None
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
    values = feature.to_df(columns=[column])[column].to_numpy()
    window = feature.window
    if window is not None:
        # A window is stratified by the value at its first timestep.
        values = values[window.unshifted_indices()[:, 0]]
    if np.issubdtype(values.dtype, np.floating):
        if bin_count is None:
            raise InvalidArgument(
                f"unsupervised_stratify_col {column!r} is continuous; pass bin_count to "
                "stratify it by quantile bins."
            )
        return stratify.stratify_values(values, kind="continuous", bin_count=bin_count)
    return stratify.stratify_values(values, kind="categorical")


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


def next_version(db: Any, model: type, name: str | None, attributes: dict[str, Any]) -> int | None:
    """The next version of a named Splitset; an identical earlier version is an error.

    Args:
        db: The transaction that writes the new Splitset.
        model: The Splitset table.
        name: The new Splitset's name; None gives no version.
        attributes: What makes the new Splitset what it is (see ``version_attributes``).
    """
    if name is None:
        return None
    lock_table(db, model.__tablename__)
    siblings = list(db.scalars(select(model).where(model.name == name)))
    for sibling in siblings:
        if _row_version_attributes(sibling) == attributes:
            raise InvalidArgument(
                f"name: Splitset {sibling.id} ({name!r}, version {sibling.version}) already "
                "has exactly these attributes; two versions cannot be identical. Change "
                "something, or reuse that Splitset."
            )
    return max((s.version or 0 for s in siblings), default=0) + 1


VERSION_EXCLUDES = ("samples", "sizes", "cache_path", "cache_hot")


def version_attributes(values: dict[str, Any]) -> dict[str, Any]:
    """What makes a Splitset version distinct: every setting, not its random samples."""
    return {key: value for key, value in values.items() if key not in VERSION_EXCLUDES}


def _row_version_attributes(row: Splitset) -> dict[str, Any]:
    columns = [column.key for column in Splitset.__table__.columns]
    settings = {key: getattr(row, key) for key in columns if key not in BASE_COLUMNS}
    return version_attributes(settings)


BASE_COLUMNS = (
    "id",
    "time_created",
    "time_updated",
    "is_starred",
    "name",
    "description",
    "version",
    "predictor_id",
    "fitted_featurecoders",
    "fitted_labelcoder",
)


__all__ = ["Fold", "NotFound", "Splitset", "SplitsetFeature"]
