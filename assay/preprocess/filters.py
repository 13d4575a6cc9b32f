"""Column filters for preprocessors: which of a Feature's columns a filter picks.

Several interpolaters or coders can share a Feature; each takes the columns its filter
matches among those no earlier one has claimed, so that no column is processed twice.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assay.errors import InvalidArgument

STRING_KINDS = {"object", "str", "string", "category"}


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


def dtype_matches(dtype_name: str, wanted: Any) -> bool:
    """Whether a column of ``dtype_name`` matches a dtype filter (name, kind or numpy type).

    ``'float64'`` matches exactly; ``'float'``/``np.floating`` match any float, ``'int'``/
    ``np.integer`` any integer, ``'object'``/``'str'``/``'category'`` strings and categories.
    """
    if isinstance(wanted, str) and wanted == dtype_name:
        return True
    if isinstance(wanted, str) and wanted in STRING_KINDS:
        return dtype_name in STRING_KINDS or dtype_name.startswith(("str", "string"))
    try:
        actual = np.dtype(dtype_name)
    except TypeError:
        return False
    if isinstance(wanted, str):
        aliases = {
            "float": np.floating,
            "int": np.integer,
            "integer": np.integer,
            "number": np.number,
        }
        if wanted in aliases:
            return bool(np.issubdtype(actual, aliases[wanted]))
        try:
            return actual == np.dtype(wanted)
        except TypeError:
            return False
    try:
        return bool(np.issubdtype(actual, wanted))
    except TypeError:
        return False


def match_columns(
    columns: list[str],
    dtypes: dict[str, str],
    *,
    include: bool = True,
    filter_dtypes: list[Any] | Any = None,
    filter_columns: list[str] | str | None = None,
    claimed: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """The columns a filter picks among those not yet claimed, in the Feature's order.

    Args:
        columns: The Feature's columns.
        dtypes: The dtype name of each column.
        include: Keep what the filters match (True) or everything else (False).
        filter_dtypes: Dtype names, kinds or numpy types.
        filter_columns: Column names; each must be a column of the Feature.
        claimed: Columns already taken by earlier preprocessors.

    Raises:
        InvalidArgument: Unknown columns, or a filter that leaves nothing to process.
    """
    free = [column for column in columns if column not in claimed]
    wanted_columns = None if filter_columns is None else _as_list(filter_columns)
    if wanted_columns is not None:
        unknown = [column for column in wanted_columns if column not in columns]
        if unknown:
            raise InvalidArgument(
                f"columns: {unknown!r} are not columns of the Feature {columns!r}."
            )
    if filter_dtypes is None and wanted_columns is None:
        matched = free if include else []
        if include is False:
            matched = free  # include=False with no filters: every unclaimed column
    else:
        wanted_dtypes = [] if filter_dtypes is None else _as_list(filter_dtypes)
        hits = {
            column
            for column in free
            if (wanted_columns is not None and column in wanted_columns)
            or any(dtype_matches(dtypes[column], wanted) for wanted in wanted_dtypes)
        }
        matched = [column for column in free if (column in hits) == include]
    if not matched:
        raise InvalidArgument(
            f"the filter (include={include}, dtypes={filter_dtypes!r}, columns={filter_columns!r}) "
            f"matches none of the unclaimed columns {free!r}."
        )
    return matched


def check_no_overlap(assignments: list[list[str]]) -> None:
    """Raise when a column is claimed by two preprocessors."""
    owner: dict[str, int] = {}
    for position, columns in enumerate(assignments):
        for column in columns:
            if column in owner:
                raise InvalidArgument(
                    f"column {column!r} is claimed by preprocessors {owner[column]} and {position}; "
                    "each column can be processed by one only."
                )
            owner[column] = position
