"""Feature (section 2): the columns of a Dataset that a model learns from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from assay.errors import InvalidArgument
from assay.orm.base import Pickled
from assay.orm.columns import ColumnSelection
from assay.orm.dataset import Dataset
from assay.store import transaction


class Feature(ColumnSelection):
    """Predictive columns; always the last dimension of the Dataset's shape."""

    __tablename__ = "feature"

    columns_excluded: Mapped[list | None] = mapped_column(JSON)
    fitted_featurecoders: Mapped[Any] = mapped_column(Pickled, nullable=True)

    @classmethod
    def from_dataset(
        cls,
        dataset_id: int,
        include_columns: list[str] | None = None,
        exclude_columns: list[str] | None = None,
    ) -> Feature:
        """Choose a Dataset's predictive columns: all, only some, or all but some.

        Args:
            dataset_id: The Dataset the columns come from.
            include_columns: Only these columns.
            exclude_columns: Every column but these. Not together with include_columns.

        Raises:
            InvalidArgument: Both filters given, unknown or duplicated columns, or none left.
        """
        dataset = Dataset.get_by_id(dataset_id)
        if include_columns is not None and exclude_columns is not None:
            raise InvalidArgument(
                "include_columns and exclude_columns cannot be used together; pass one of them."
            )
        if include_columns is not None:
            included = dataset.check_columns(include_columns, "include_columns")
        elif exclude_columns is not None:
            excluded = dataset.check_columns(exclude_columns, "exclude_columns")
            included = [column for column in dataset.columns if column not in excluded]
            if not included:
                raise InvalidArgument(
                    "exclude_columns excludes every column of the Dataset; leave at least one."
                )
        else:
            included = list(dataset.columns)
        excluded_columns = [column for column in dataset.columns if column not in included]
        with transaction() as db:
            feature = cls(
                dataset_id=dataset.id, columns=included, columns_excluded=excluded_columns or None
            )
            db.add(feature)
        return feature
