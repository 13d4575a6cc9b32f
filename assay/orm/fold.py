"""Fold (section 8): one cross-validation fold of a Splitset's train split."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.orm.base import BaseModel, Pickled, related

if TYPE_CHECKING:
    from assay.orm.splitset import Splitset


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
