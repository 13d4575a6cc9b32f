"""What Feature and Label share: a choice of columns from one Dataset, and fetching them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from assay.orm.base import BaseModel, id_method, related

if TYPE_CHECKING:
    import pandas as pd

    from assay.orm.dataset import Dataset


class ColumnSelection(BaseModel):
    """A named set of columns drawn from a Dataset; fetch methods wrap the Dataset's."""

    __abstract__ = True

    columns: Mapped[list] = mapped_column(JSON)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )

    @declared_attr
    def dataset_(cls) -> Mapped[Dataset]:
        """The Dataset, as a relationship (declared per table: this class is abstract)."""
        return relationship("Dataset", viewonly=True)

    @property
    def dataset(self) -> Dataset:
        """The Dataset these columns come from."""
        return related(self, "dataset_")

    def own_columns(self, columns: Any) -> list[str]:
        """``columns`` if given (each must be one of this selection's), else all of them."""
        if columns is None:
            return list(self.columns)
        from assay.data.dtypes import check_known_columns

        return check_known_columns(columns, self.columns, "columns")

    @id_method
    def to_arr(
        self, columns: list[str] | None = None, samples: list[int] | None = None
    ) -> np.ndarray:
        """These columns as an ndarray (2D, 3D or 4D, like the Dataset)."""
        return self.dataset.to_arr(columns=self.own_columns(columns), samples=samples)

    @id_method
    def to_df(
        self, columns: list[str] | None = None, samples: list[int] | None = None
    ) -> pd.DataFrame | list[pd.DataFrame] | list[list[pd.DataFrame]]:
        """These columns as a DataFrame (or the Dataset kind's list of DataFrames)."""
        return self.dataset.to_df(columns=self.own_columns(columns), samples=samples)

    @id_method
    def get_dtypes(self, columns: list[str] | None = None) -> dict[str, str]:
        """The dtype of each of these columns as ``{column: 'float64'}``."""
        return self.dataset.get_dtypes(columns=self.own_columns(columns))
