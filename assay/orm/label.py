"""Label (section 3): the column(s) of a Tabular Dataset that supervised models predict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.base import Deletable, id_method, related
from assay.orm.columns import ColumnSelection
from assay.orm.dataset import Dataset
from assay.store import transaction

if TYPE_CHECKING:
    from assay.orm.encode import LabelCoder
    from assay.orm.interpolate import LabelInterpolater
    from assay.orm.splitset import Splitset
    from assay.preprocess.pipeline import Preprocessed, Steps


class Label(Deletable, ColumnSelection):
    """The target: one column, or several that together are one-hot encoded."""

    __tablename__ = "label"

    column_count: Mapped[int]
    unique_classes: Mapped[list | None] = mapped_column(JSON)

    labelinterpolaters_: Mapped[list[LabelInterpolater]] = relationship(
        "LabelInterpolater", viewonly=True, order_by="LabelInterpolater.id"
    )
    labelcoders_: Mapped[list[LabelCoder]] = relationship(
        "LabelCoder", viewonly=True, order_by="LabelCoder.id"
    )
    splitsets_: Mapped[list[Splitset]] = relationship(
        "Splitset", viewonly=True, order_by="Splitset.id"
    )

    @classmethod
    def from_dataset(cls, dataset_id: int, columns: list[str] | None = None) -> Label:
        """Choose the target column(s) of a Tabular Dataset.

        Args:
            dataset_id: A Tabular Dataset.
            columns: The target column, or several one-hot columns; None means all columns.

        Raises:
            InvalidArgument: A non-Tabular Dataset, unknown columns, several columns that
                are not one-hot (each row exactly one 1, the rest 0), or a categorical
                column with missing values.
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
            if unique_classes is not None:
                check_no_missing_classes(frame[chosen[0]])
        with transaction() as db:
            label = cls(
                dataset_id=dataset.id,
                columns=chosen,
                column_count=len(chosen),
                unique_classes=unique_classes,
            )
            db.add(label)
        return label

    @property
    def labelinterpolaters(self) -> list[LabelInterpolater]:
        """This Label's LabelInterpolater, if any (a list of at most one)."""
        return related(self, "labelinterpolaters_")

    @property
    def labelcoders(self) -> list[LabelCoder]:
        """This Label's LabelCoder, if any (a list of at most one)."""
        return related(self, "labelcoders_")

    @property
    def labelcoder(self) -> LabelCoder | None:
        """The Label's LabelCoder, or None."""
        coders = self.labelcoders
        return coders[0] if coders else None

    @property
    def splitsets(self) -> list[Splitset]:
        """The Splitsets this Label supervises."""
        return related(self, "splitsets_")

    @property
    def fitted_labelcoder(self) -> Any:
        """The LabelCoder fitted by this Label's newest Splitset with cached samples, or None.

        Each Splitset and Fold keeps the coder it fitted; this reads the newest Splitset's.
        """
        for splitset in reversed(self.splitsets):
            if splitset.fitted_labelcoder is not None:
                return splitset.fitted_labelcoder
        return None

    def sample_count(self) -> int:
        """The number of samples (rows)."""
        return self.dataset.sample_count()

    def is_continuous(self) -> bool:
        """A single floating column: regression, stratified by quantile bins."""
        return self.column_count == 1 and self.unique_classes is None

    def steps(self) -> Steps:
        """The recorded preprocessing as ``assay.preprocess.pipeline.Steps``."""
        from assay.orm.preprocessing import label_steps

        return label_steps(self.columns, self.labelinterpolaters, self.labelcoders)

    @id_method
    def preprocess(
        self,
        samples: dict[str, Any],
        train_key: str | None = "train",
        fitted: list[Any] | None = None,
        steps: Any = None,
        data: Any = None,
    ) -> Preprocessed:
        """Preprocess some samples: interpolate, then encode, fitting on train only.

        Args:
            samples: Sample indices by split name.
            train_key: The split the interpolater and coder learn from.
            fitted: A coder fitted earlier (inference): transform only, never refit.
            steps: Preprocessing recorded elsewhere (the trained Label's, for inference).
            data: This Label's ``to_df()``, when the caller has it already.

        Returns:
            ``assay.preprocess.pipeline.Preprocessed`` with ``arrays`` by split.
        """
        from assay.preprocess.pipeline import preprocess

        return preprocess(
            self.to_df() if data is None else data,
            {name: np.asarray(rows, dtype=np.int64) for name, rows in samples.items()},
            self.steps() if steps is None else steps,
            train_key=train_key,
            fitted=fitted,
        )


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


def check_no_missing_classes(series: pd.Series) -> None:
    """Raise when a categorical target has gaps: no class can be learned from or scored there.

    Raises:
        InvalidArgument: Naming the column, how many values are missing and the first rows.
    """
    missing = np.flatnonzero(series.isna().to_numpy())
    if len(missing):
        raise InvalidArgument(
            f"columns: the categorical Label column {series.name!r} has {len(missing)} missing "
            f"value(s) (rows {missing[:5].tolist()}{'...' if len(missing) > 5 else ''}); a "
            "model can neither learn a class from a missing target nor be scored against it. "
            f"Drop those rows first, e.g. frame.dropna(subset=[{series.name!r}])."
        )


def check_gaps_filled(label: Label, frame: pd.DataFrame, interpolated: bool) -> None:
    """Raise when a continuous target has gaps that no LabelInterpolater fills.

    Args:
        label: The Label.
        frame: Its data (``label.to_df()``).
        interpolated: Whether a LabelInterpolater fills its gaps (for inference: the
            trained Label's).

    Raises:
        InvalidArgument: Naming the column and how many values are missing.
    """
    if interpolated:
        return
    counts = {str(column): int(count) for column, count in frame.isna().sum().items() if count}
    if counts:
        raise InvalidArgument(
            f"label_id: Label {label.id} has missing values {counts} (column: count) and no "
            "LabelInterpolater to fill them; a model can neither learn from a missing target "
            "nor be scored against it. Drop those rows, or, for a time series, interpolate "
            "them with LabelInterpolater.from_label (Target(..., interpolater=...))."
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
