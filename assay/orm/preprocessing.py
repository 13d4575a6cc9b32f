"""What the preprocessor rows share: argument checks, column filters and their numbering."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.errors import InvalidArgument


def check_bool(value: Any, argument: str) -> None:
    """Raise unless ``value`` is a bool."""
    if not isinstance(value, bool):
        raise InvalidArgument(f"{argument} must be True or False; got {value!r}.")


def next_idx(db: Session, model: type, condition: Any) -> int:
    """The zero-based position of a new row among its siblings."""
    return int(db.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def claimed_columns(siblings: list[Any]) -> set[str]:
    """The columns that earlier preprocessors of the same kind already cover."""
    return {column for sibling in siblings for column in sibling.matching_columns}


@dataclass(frozen=True)
class ColumnMatch:
    """The outcome of a dtype/column filter over a Feature's columns."""

    matching: list[str]
    leftover_columns: list[str]
    leftover_dtypes: dict[str, str]
    original_filter: dict[str, Any]

    def columns_record(self) -> dict[str, Any]:
        """The row attributes that record this match."""
        return {
            "matching_columns": self.matching,
            "leftover_columns": self.leftover_columns,
            "leftover_dtypes": self.leftover_dtypes,
            "original_filter": self.original_filter,
        }


def column_filter(
    feature: Any,
    *,
    include: bool,
    dtypes: Any,
    columns: Any,
    claimed: set[str],
    verbose: bool,
    what: str,
) -> ColumnMatch:
    """Apply a preprocessor's filter to the Feature's columns that no sibling has claimed.

    Raises:
        InvalidArgument: Unknown columns, a filter that matches nothing, or columns that an
            earlier preprocessor of this Feature already covers.
    """
    from assay.preprocess.filters import describe_match, match_columns

    feature_dtypes = feature.get_dtypes()
    names = [str(column) for column in feature.columns]
    if columns is not None:
        wanted = [columns] if isinstance(columns, str) else list(columns)
        taken = sorted(set(wanted) & claimed)
        if taken:
            raise InvalidArgument(
                f"columns: {taken!r} are already covered by an earlier {what} of Feature "
                f"{feature.id}; each column can be preprocessed by one {what} only."
            )
    matching = match_columns(
        names,
        feature_dtypes,
        include=include,
        filter_dtypes=dtypes,
        filter_columns=columns,
        claimed=claimed,
    )
    leftover = [name for name in names if name not in matching and name not in claimed]
    if verbose:
        print(
            describe_match(
                names,
                feature_dtypes,
                matching,
                include=include,
                filter_dtypes=dtypes,
                filter_columns=columns,
                claimed=claimed,
                what=f"{what} of Feature {feature.id}",
            )
        )
    return ColumnMatch(
        matching=list(matching),
        leftover_columns=leftover,
        leftover_dtypes={name: feature_dtypes[name] for name in leftover},
        original_filter={
            "include": include,
            "dtypes": _jsonable(dtypes),
            "columns": _jsonable(columns),
        },
    )


def _jsonable(value: Any) -> Any:
    """Filters as JSON: dtypes given as numpy types become their names."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return getattr(value, "__name__", str(value))


def interpolate_steps(rows: list[Any]) -> list[Any]:
    """Interpolater rows as the pipeline's steps."""
    from assay.preprocess.pipeline import InterpolateStep

    return [
        InterpolateStep(row.matching_columns, row.interpolate_kwargs, row.process_separately)
        for row in rows
    ]


def encode_steps(rows: list[Any]) -> list[Any]:
    """Coder rows (imputers first, as they apply) as the pipeline's steps."""
    from assay.preprocess.impute import is_imputer
    from assay.preprocess.pipeline import EncodeStep

    return [
        EncodeStep(
            row.sklearn_preprocess,
            row.encoding_dimension,
            row.matching_columns,
            row.is_categorical,
            is_imputer(row.sklearn_preprocess),
        )
        for row in rows
    ]
