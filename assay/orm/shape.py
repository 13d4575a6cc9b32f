"""FeatureShaper (section 6): reshape each sample last, e.g. to drop or add a channel."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.base import BaseModel, Deletable, Pickled, related
from assay.orm.feature import Feature
from assay.store import transaction


class FeatureShaper(Deletable, BaseModel):
    """How each sample of a Feature is reshaped at the end of preprocessing."""

    __tablename__ = "featureshaper"

    reshape_indices: Mapped[Any] = mapped_column(Pickled)
    column_position: Mapped[int]
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("feature.id", ondelete="CASCADE"), index=True
    )
    feature_: Mapped[Feature] = relationship("Feature", viewonly=True)

    @property
    def feature(self) -> Feature:
        """The Feature this shaper reshapes."""
        return related(self, "feature_")

    @classmethod
    def from_feature(cls, feature_id: int, reshape_indices: tuple) -> FeatureShaper:
        """Reshape each sample: ints pick a dimension, strings are sizes, tuples multiply.

        The indices refer to the shape of the whole preprocessed data (index 0 is the
        samples), e.g. ``(0, 2, 3)`` drops the channel of grayscale images and
        ``(0, '1', 1, 2)`` adds one.

        Raises:
            InvalidArgument: Indices out of range, or a shape whose size differs.
        """
        from assay.preprocess import shape

        feature = Feature.get_by_id(feature_id)
        if not isinstance(reshape_indices, tuple):
            raise InvalidArgument(
                f"reshape_indices must be a tuple of ints, str sizes and tuples; got "
                f"{type(reshape_indices).__name__} {reshape_indices!r}."
            )
        data_shape = feature.preprocessed_shape()
        shape.resolve_shape(reshape_indices, data_shape)
        position = shape.column_position(reshape_indices, data_shape)
        with transaction() as db:
            existing = db.scalar(select(cls.id).where(cls.feature_id == feature.id))
            if existing is not None:
                raise InvalidArgument(
                    f"feature_id: Feature {feature.id} already has FeatureShaper {existing}."
                )
            row = cls(
                feature_id=feature.id, reshape_indices=reshape_indices, column_position=position
            )
            db.add(row)
        return row
