"""Interpolaters (section 4): fill gaps in floating columns without leaking other splits.

The rows record the settings and which columns they apply to; ``assay.preprocess.interpolate``
does the work when a Feature or Label is preprocessed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.base import BaseModel, Deletable, related
from assay.orm.feature import Feature
from assay.orm.label import Label
from assay.orm.preprocessing import check_bool, claimed_columns, column_filter, next_idx
from assay.store import transaction


class LabelInterpolater(Deletable, BaseModel):
    """Interpolation of a Label's column; a Label has at most one."""

    __tablename__ = "labelinterpolater"

    process_separately: Mapped[bool]
    interpolate_kwargs: Mapped[dict] = mapped_column(JSON)
    matching_columns: Mapped[list] = mapped_column(JSON)
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="CASCADE"), index=True)
    label_: Mapped[Label] = relationship("Label", viewonly=True)

    @property
    def label(self) -> Label:
        """The Label this interpolater applies to."""
        return related(self, "label_")

    @classmethod
    def from_label(
        cls,
        label_id: int,
        process_separately: bool = True,
        interpolate_kwargs: dict[str, Any] | None = None,
    ) -> LabelInterpolater:
        """Interpolate the Label's floating column(s) when it is preprocessed.

        Args:
            label_id: The Label to interpolate.
            process_separately: Interpolate the training samples alone (False leaks the
                other splits into training).
            interpolate_kwargs: Passed to ``pandas.DataFrame.interpolate``; None gives the
                defaults (spline, order 1, limit_direction both).

        Raises:
            InvalidArgument: Non-floating columns, bad kwargs, or a second interpolater.
        """
        from assay.preprocess import interpolate

        label = Label.get_by_id(label_id)
        check_bool(process_separately, "process_separately")
        kwargs = interpolate.check_interpolate_kwargs(interpolate_kwargs)
        interpolate.check_floating(label.to_df().head(1), list(label.columns))
        with transaction() as db:
            existing = db.scalar(select(cls.id).where(cls.label_id == label.id))
            if existing is not None:
                raise InvalidArgument(
                    f"label_id: Label {label.id} already has LabelInterpolater {existing}; "
                    "a Label is one column, so it takes one interpolater."
                )
            row = cls(
                label_id=label.id,
                process_separately=process_separately,
                interpolate_kwargs=kwargs,
                matching_columns=list(label.columns),
            )
            db.add(row)
        return row


class FeatureInterpolater(Deletable, BaseModel):
    """Interpolation of some of a Feature's columns, chosen by dtype and column filters."""

    __tablename__ = "featureinterpolater"

    idx: Mapped[int]
    process_separately: Mapped[bool]
    interpolate_kwargs: Mapped[dict] = mapped_column(JSON)
    matching_columns: Mapped[list] = mapped_column(JSON)
    leftover_columns: Mapped[list] = mapped_column(JSON)
    leftover_dtypes: Mapped[dict] = mapped_column(JSON)
    original_filter: Mapped[dict] = mapped_column(JSON)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("feature.id", ondelete="CASCADE"), index=True
    )
    feature_: Mapped[Feature] = relationship("Feature", viewonly=True)

    @property
    def feature(self) -> Feature:
        """The Feature this interpolater applies to."""
        return related(self, "feature_")

    @classmethod
    def from_feature(
        cls,
        feature_id: int,
        process_separately: bool = True,
        interpolate_kwargs: dict[str, Any] | None = None,
        dtypes: list[str] | str | None = None,
        columns: list[str] | str | None = None,
        verbose: bool = True,
    ) -> FeatureInterpolater:
        """Interpolate the Feature's columns that match the filters.

        Interpolation fits a curve down the rows, which suits a time series; rows of
        independent samples are better imputed (``FeatureCoder`` with a ``SimpleImputer``).

        Args:
            feature_id: The Feature to interpolate.
            process_separately: Interpolate the training samples alone.
            interpolate_kwargs: Passed to ``pandas.DataFrame.interpolate``.
            dtypes: Only columns of these dtypes. With neither filter, every unclaimed
                floating column of a table (other columns, e.g. text, are left alone).
            columns: Only these columns (not also matched by ``dtypes``).
            verbose: Print which columns the filters matched and which are left over.

        Raises:
            InvalidArgument: Filters matching nothing or a column another interpolater of
                this Feature already covers, non-floating columns, bad kwargs.
        """
        from assay.preprocess import interpolate

        feature = Feature.get_by_id(feature_id)
        check_bool(process_separately, "process_separately")
        check_bool(verbose, "verbose")
        kwargs = interpolate.check_interpolate_kwargs(interpolate_kwargs)
        siblings = feature.featureinterpolaters
        if dtypes is None and columns is None and feature.dataset.typ == "tabular":
            dtypes = "float"  # interpolation fits numbers: leave text and integers alone
        match = column_filter(
            feature,
            include=True,
            dtypes=dtypes,
            columns=columns,
            claimed=claimed_columns(siblings),
            verbose=verbose,
            what="FeatureInterpolater",
        )
        if feature.dataset.typ == "tabular":
            interpolate.check_floating(feature.to_df(samples=[0]), match.matching)
        else:
            dtype = next(iter(feature.get_dtypes().values()))
            if not dtype.startswith("float"):
                raise InvalidArgument(
                    f"feature_id: interpolation needs floating columns; Feature {feature.id}'s "
                    f"data is {dtype}. Retype the Dataset to a float dtype first."
                )
        with transaction() as db:
            row = cls(
                idx=next_idx(db, cls, cls.feature_id == feature.id),
                feature_id=feature.id,
                process_separately=process_separately,
                interpolate_kwargs=kwargs,
                **match.columns_record(),
            )
            db.add(row)
        return row
