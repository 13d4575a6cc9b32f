"""Label (section 3): the column(s) of a Tabular Dataset that supervised models predict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from assay.errors import InvalidArgument
from assay.orm.base import Pickled
from assay.orm.columns import ColumnSelection
from assay.orm.dataset import Dataset
from assay.store import transaction


class Label(ColumnSelection):
    """The target: one column, or several that together are one-hot encoded."""

    __tablename__ = "label"

    column_count: Mapped[int]
    unique_classes: Mapped[list | None] = mapped_column(JSON)
    fitted_labelcoder: Mapped[Any] = mapped_column(Pickled, nullable=True)

    @classmethod
    def from_dataset(cls, dataset_id: int, columns: list[str] | None = None) -> Label:
        """Choose the target column(s) of a Tabular Dataset.

        Args:
            dataset_id: A Tabular Dataset.
            columns: The target column, or several one-hot columns; None means all columns.

        Raises:
            InvalidArgument: A non-Tabular Dataset, unknown columns, or several columns that
                are not one-hot (each row exactly one 1, the rest 0).
        """
        dataset = Dataset.get_by_id(dataset_id)
        if dataset.typ != "tabular":
            raise InvalidArgument(
                f"a Label needs a Tabular Dataset; Dataset {dataset.id} is {dataset.typ}. "
                "Register the targets with Dataset.Tabular and pair it with this Dataset."
            )
        chosen = dataset.check_columns(columns)
        frame = dataset.to_df(columns=chosen)
        if len(chosen) > 1:
            check_one_hot(frame)
            unique_classes = list(chosen)
        else:
            unique_classes = categories_of(frame[chosen[0]])
        with transaction() as db:
            label = cls(
                dataset_id=dataset.id,
                columns=chosen,
                column_count=len(chosen),
                unique_classes=unique_classes,
            )
            db.add(label)
        return label


def check_one_hot(frame: pd.DataFrame) -> None:
    """Raise unless every row of ``frame`` holds exactly one 1 and otherwise 0."""
    values = frame.to_numpy()
    try:
        numeric = values.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"columns: several Label columns must be one-hot (0/1); {list(frame.columns)!r} "
            "are not numeric. Pass one column, or one-hot encode them first."
        ) from exc
    binary = np.isin(numeric, (0.0, 1.0)).all()
    if not binary or not (numeric.sum(axis=1) == 1).all():
        bad = int(
            np.flatnonzero(~np.isin(numeric, (0.0, 1.0)).all(axis=1) | (numeric.sum(axis=1) != 1))[
                0
            ]
        )
        raise InvalidArgument(
            f"columns: several Label columns must be one-hot, with exactly one 1 per row; "
            f"row {bad} is {numeric[bad].tolist()}. Pass a single column instead."
        )


def categories_of(series: pd.Series) -> list[Any] | None:
    """The sorted distinct values of a categorical column; None for floating (continuous) ones."""
    if pd.api.types.is_float_dtype(series.dtype):
        return None
    values = series.dropna().unique()
    try:
        values = sorted(values)
    except TypeError:
        values = list(values)
    return [value.item() if isinstance(value, np.generic) else value for value in values]
