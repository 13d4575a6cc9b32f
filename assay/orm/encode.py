"""Coders (section 5): scikit-learn preprocessors fitted on the training samples only.

A row keeps the corrected, unfitted encoder and what trying it on the data taught: the
encoding dimension and the encoded column names. The fitted copies are kept per Feature or
Label (or per Fold) when the samples are cached, and decode predictions later.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.base import BaseModel, Deletable, Pickled, related
from assay.orm.feature import Feature
from assay.orm.label import Label
from assay.orm.preprocessing import check_bool, claimed_columns, column_filter, next_idx
from assay.store import transaction


def columns_block(data: np.ndarray) -> np.ndarray:
    """N-D samples as a 2D block of columns (the last axis), as encoders expect."""
    return data if data.ndim == 2 else data.reshape(-1, data.shape[-1])


def try_encoder(sklearn_preprocess: Any, block: np.ndarray, columns: list[str], verbose: bool):
    """Check and correct an encoder, then fit a copy on ``block`` to learn its dimension.

    Args:
        sklearn_preprocess: The encoder as the user gave it.
        block: The columns it will encode, as a 2D block (samples x columns).
        columns: Their names, for the encoded column names.
        verbose: Print the corrections made to the encoder.

    Returns:
        The corrected unfitted encoder, its encoding dimension, the encoded column names and
        whether it is categorical.

    Raises:
        InvalidArgument: See ``encode.check_encoder`` and ``encode.fit_encoder``; also an
            imputer that does not give back the columns it takes.
    """
    from sklearn.base import clone

    from assay.preprocess import encode, impute

    encoder, corrections = encode.check_encoder(sklearn_preprocess)
    if verbose:
        for correction in corrections:
            print(f"=> {correction}")
    fitted, dimension = encode.fit_encoder(clone(encoder), block)
    if impute.is_imputer(encoder):
        impute.check_keeps_columns(fitted, dimension, block, columns)
    names = encode.encoded_column_names(fitted, dimension, columns)
    return encoder, dimension, names, encode.is_categorical(encoder)


def check_imputer_comes_first(feature: Feature, siblings: list[Any], columns: list[str]) -> None:
    """Raise when another coder already encodes some of an imputer's columns.

    That coder learned its categories and column names from the unfilled values (e.g. a
    OneHotEncoder's ``_nan`` column), so the imputer has to be added before it.

    Args:
        feature: The Feature the imputer is for.
        siblings: The Feature's FeatureCoders so far.
        columns: The columns the imputer would fill.

    Raises:
        InvalidArgument: Naming the columns and the coder.
    """
    for row in siblings:
        taken = [column for column in columns if column in row.matching_columns]
        if taken and not row.is_imputer:
            raise InvalidArgument(
                f"sklearn_preprocess: Feature {feature.id}'s FeatureCoder {row.id} "
                f"({type(row.sklearn_preprocess).__name__}) already encodes {taken} as they are, "
                "gaps included; imputers come first. Add the imputer before that coder (in "
                "a new Feature), or impute only columns no coder encodes yet."
            )


def filled_block(feature: Feature, siblings: list[Any], columns: list[str]) -> np.ndarray:
    """Some of the Feature's columns as a new coder will see them: after its imputers.

    The imputers are fitted on every sample here, only to try the coder on filled values
    (its dimension and column names); preprocessing fits them on training samples.

    Args:
        feature: The Feature the new coder is for.
        siblings: The Feature's FeatureCoders so far (its imputers apply).
        columns: The columns the new coder encodes.
    """
    from assay.orm.preprocessing import encode_steps
    from assay.preprocess.pipeline import Steps, impute_all

    imputers = [row for row in siblings if row.is_imputer]
    if not imputers:
        return columns_block(feature.to_arr(columns=columns))
    steps = Steps(columns=list(feature.columns), coders=encode_steps(imputers))
    filled = impute_all(columns_block(feature.to_arr()), steps)
    return filled[:, [steps.columns.index(column) for column in columns]]


class LabelCoder(Deletable, BaseModel):
    """The encoder of a Label's column(s); a Label has at most one."""

    __tablename__ = "labelcoder"

    only_fit_train: Mapped[bool]
    is_categorical: Mapped[bool]
    sklearn_preprocess: Mapped[Any] = mapped_column(Pickled)
    matching_columns: Mapped[list] = mapped_column(JSON)
    encoding_dimension: Mapped[str] = mapped_column(String(32))
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="CASCADE"), index=True)
    label_: Mapped[Label] = relationship("Label", viewonly=True)

    @property
    def label(self) -> Label:
        """The Label this coder encodes."""
        return related(self, "label_")

    @classmethod
    def from_label(cls, label_id: int, sklearn_preprocess: Any) -> LabelCoder:
        """Encode a Label with an instantiated scikit-learn preprocessor, e.g. ``OneHotEncoder()``.

        Args:
            label_id: The Label to encode.
            sklearn_preprocess: An instance (not the class, not a function) of a class-based
                scikit-learn preprocessor; its sparse output and copy settings are corrected.

        Raises:
            InvalidArgument: Not an instantiated preprocessor, one that fails on the Label's
                data, one that cannot decode predictions, an imputer, or a second coder for
                the Label.
        """
        from assay.preprocess import encode, impute

        if impute.is_imputer(sklearn_preprocess):
            raise InvalidArgument(
                f"sklearn_preprocess: {type(sklearn_preprocess).__name__} fills missing values, "
                "which a Label's coder must not do: a filled target is an answer made up for "
                "training and scoring, and predictions could not be decoded through it. Drop "
                "the rows whose target is missing, or, for a time series, interpolate it with "
                "LabelInterpolater.from_label."
            )
        label = Label.get_by_id(label_id)
        block = label.to_arr()
        encoder, dimension, _, categorical = try_encoder(
            sklearn_preprocess, block, list(label.columns), verbose=False
        )
        encode.check_invertible(encoder)
        with transaction() as db:
            existing = db.scalar(select(cls.id).where(cls.label_id == label.id))
            if existing is not None:
                raise InvalidArgument(
                    f"label_id: Label {label.id} already has LabelCoder {existing}; a Label "
                    "takes one coder."
                )
            row = cls(
                label_id=label.id,
                sklearn_preprocess=encoder,
                matching_columns=list(label.columns),
                encoding_dimension=dimension,
                is_categorical=categorical,
                only_fit_train=not categorical,
            )
            db.add(row)
        return row


class FeatureCoder(Deletable, BaseModel):
    """The encoder of some of a Feature's columns, chosen by dtype and column filters."""

    __tablename__ = "featurecoder"

    idx: Mapped[int]
    sklearn_preprocess: Mapped[Any] = mapped_column(Pickled)
    encoded_column_names: Mapped[list] = mapped_column(JSON)
    matching_columns: Mapped[list] = mapped_column(JSON)
    leftover_columns: Mapped[list] = mapped_column(JSON)
    leftover_dtypes: Mapped[dict] = mapped_column(JSON)
    original_filter: Mapped[dict] = mapped_column(JSON)
    encoding_dimension: Mapped[str] = mapped_column(String(32))
    only_fit_train: Mapped[bool]
    is_categorical: Mapped[bool]
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("feature.id", ondelete="CASCADE"), index=True
    )
    feature_: Mapped[Feature] = relationship("Feature", viewonly=True)

    @property
    def feature(self) -> Feature:
        """The Feature this coder encodes."""
        return related(self, "feature_")

    @property
    def is_imputer(self) -> bool:
        """Whether this coder fills gaps: it runs before the Feature's other coders."""
        from assay.preprocess.impute import is_imputer

        return is_imputer(self.sklearn_preprocess)

    @classmethod
    def from_feature(
        cls,
        feature_id: int,
        sklearn_preprocess: Any,
        include: bool = True,
        dtypes: list[str] | str | None = None,
        columns: list[str] | str | None = None,
        verbose: bool = True,
    ) -> FeatureCoder:
        """Encode the Feature's columns that match the filters; coders chain in order.

        An imputer (``SimpleImputer``, ``KNNImputer``, ``IterativeImputer``, or any
        fit/transform object wrapped in ``assay.preprocess.impute.Imputer``) fills gaps: it
        runs before every other coder, learns from the training samples only, fills each
        sample on its own, and its columns may be encoded by another coder too (each column
        is filled by one imputer and encoded by one other coder).

        Args:
            feature_id: The Feature to encode.
            sklearn_preprocess: An instance of a class-based scikit-learn preprocessor.
            include: Encode the columns the filters match (True) or all the others (False).
                ``include=False`` with no filters takes every column not yet encoded (or
                not yet filled, for an imputer).
            dtypes: Filter by these dtypes.
            columns: Filter by these columns.
            verbose: Print the corrections made and which columns matched.

        Raises:
            InvalidArgument: See ``LabelCoder.from_label``; also filters that match nothing
                or columns an earlier FeatureCoder of this Feature already encodes.
        """
        from assay.preprocess.impute import is_imputer

        feature = Feature.get_by_id(feature_id)
        check_bool(include, "include")
        check_bool(verbose, "verbose")
        imputer = is_imputer(sklearn_preprocess)
        siblings = feature.featurecoders
        match = column_filter(
            feature,
            include=include,
            dtypes=dtypes,
            columns=columns,
            claimed=claimed_columns([row for row in siblings if row.is_imputer == imputer]),
            verbose=verbose,
            what="FeatureCoder (imputer)" if imputer else "FeatureCoder",
        )
        if imputer:
            check_imputer_comes_first(feature, siblings, match.matching)
            block = columns_block(feature.to_arr(columns=match.matching))
        else:
            block = filled_block(feature, siblings, match.matching)
        encoder, dimension, names, categorical = try_encoder(
            sklearn_preprocess, block, match.matching, verbose
        )
        with transaction() as db:
            row = cls(
                idx=next_idx(db, cls, cls.feature_id == feature.id),
                feature_id=feature.id,
                sklearn_preprocess=encoder,
                encoded_column_names=names,
                encoding_dimension=dimension,
                is_categorical=categorical,
                only_fit_train=not categorical,
                **match.columns_record(),
            )
            db.add(row)
        return row
