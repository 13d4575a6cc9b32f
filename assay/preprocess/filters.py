"""Column filters for preprocessors: which of a Feature's columns a filter picks.

Several interpolaters or coders can share a Feature; each takes the columns its filter
matches among those no earlier one has claimed, so that no column is processed twice
(sections 4b and 5b). A filter names dtypes (names like ``'float64'``, kinds like
``'float'``, or numpy types like ``np.floating``) and/or columns; ``include`` keeps what it
matches or everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from assay.errors import InvalidArgument

# Filter words that mean "text or categories", and the dtype names they cover (pandas 3 names
# its default string dtype 'str').
STRING_WORDS = {"object", "str", "string", "category", "O"}
# Filter words for families of numeric dtypes.
KIND_WORDS: dict[str, Any] = {
    "float": np.floating,
    "floating": np.floating,
    "int": np.integer,
    "integer": np.integer,
    "signedinteger": np.signedinteger,
    "unsignedinteger": np.unsignedinteger,
    "uint": np.unsignedinteger,
    "number": np.number,
    "numeric": np.number,
    "bool": np.bool_,
    "datetime": np.datetime64,
}
# Python types stand for their numpy families (``float`` matches float32 too).
PYTHON_TYPES: dict[Any, Any] = {float: np.floating, int: np.integer, bool: np.bool_}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def _is_string_dtype(dtype_name: str) -> bool:
    return dtype_name in STRING_WORDS or dtype_name.startswith(("str", "string", "<U", "|S"))


def dtype_matches(dtype_name: str, wanted: Any) -> bool:
    """Whether a column of dtype ``dtype_name`` matches one dtype filter.

    Args:
        dtype_name: The column's dtype as a string, e.g. ``'float64'``, ``'str'``.
        wanted: A dtype name (exact), a kind word (``'float'``, ``'int'``, ``'number'``,
            ``'object'``/``'str'``/``'category'`` for text), a numpy type or dtype.

    Returns:
        True when the column matches.
    """
    dtype_name = str(dtype_name)
    if isinstance(wanted, str):
        if wanted == dtype_name:
            return True
        if wanted in STRING_WORDS:
            return _is_string_dtype(dtype_name)
        if wanted in KIND_WORDS:
            wanted = KIND_WORDS[wanted]
    elif wanted in PYTHON_TYPES:
        wanted = PYTHON_TYPES[wanted]
    if _is_string_dtype(dtype_name):
        return wanted in (str, object, np.str_, np.object_)
    try:
        actual = np.dtype(dtype_name)
    except TypeError:
        return False
    try:
        if isinstance(wanted, type) and issubclass(wanted, np.generic):
            return bool(np.issubdtype(actual, wanted))
        return bool(actual == np.dtype(wanted))
    except TypeError:
        return False


def is_numeric(dtype_name: str) -> bool:
    """Whether a column of this dtype reaches a model as numbers (booleans count) uncoded."""
    import pandas as pd

    try:
        return bool(pd.api.types.is_numeric_dtype(pd.api.types.pandas_dtype(str(dtype_name))))
    except TypeError:
        return False


def check_numbers_or_encoded(
    dtypes: dict[str, str], encoded: Iterable[str], feature_id: int, what: str
) -> None:
    """Raise unless each column of these dtypes is numbers or one that a coder encodes.

    Args:
        dtypes: ``{column: dtype}`` of some samples of a Feature's columns.
        encoded: The columns a (non-imputer) coder of the Feature encodes.
        feature_id: The Feature whose coders apply (the trained one, for inference).
        what: How the error names the samples' owner, e.g. ``"feature_ids: Feature 3's"``.

    Raises:
        InvalidArgument: Naming the columns, their dtypes and the coder to add.
    """
    encoded = set(encoded)
    text = {
        column: dtype
        for column, dtype in dtypes.items()
        if column not in encoded and not is_numeric(dtype)
    }
    if text:
        raise InvalidArgument(
            f"{what} columns {text} (column: dtype) are not numbers "
            f"and no FeatureCoder of Feature {feature_id} encodes them, so no model can take "
            f"them. Encode them, e.g. FeatureCoder.from_feature({feature_id}, OneHotEncoder(), "
            f"columns={sorted(text)}) or OrdinalEncoder() (in a Pipeline: "
            "Input(..., encoders=Input.Encoder(OneHotEncoder(), columns=[...]))), or leave "
            "them out of the Feature."
        )


def _check_filters(
    columns: list[str], dtypes: dict[str, str], filter_dtypes: Any, filter_columns: Any
) -> tuple[list[Any], list[str] | None]:
    wanted_dtypes = _as_list(filter_dtypes)
    wanted_columns = None if filter_columns is None else [str(c) for c in _as_list(filter_columns)]
    if wanted_columns is not None:
        unknown = [column for column in wanted_columns if column not in columns]
        if unknown:
            raise InvalidArgument(
                f"columns: {unknown!r} are not columns of the Feature; it has {columns!r}."
            )
    missing = [column for column in columns if column not in dtypes]
    if missing:
        raise InvalidArgument(f"dtypes: no dtype given for columns {missing!r}.")
    return wanted_dtypes, wanted_columns


def match_columns(
    columns: list[str],
    dtypes: dict[str, str],
    *,
    include: bool = True,
    filter_dtypes: list[Any] | Any = None,
    filter_columns: list[str] | str | None = None,
    claimed: Iterable[str] = frozenset(),
) -> list[str]:
    """The columns a filter picks among those not yet claimed, in the Feature's order.

    Args:
        columns: The Feature's columns.
        dtypes: The dtype name of each column.
        include: Keep the columns the filters match (True) or every other one (False).
        filter_dtypes: Dtype names, kind words or numpy types (see ``dtype_matches``).
        filter_columns: Column names; each must be a column of the Feature, and none may
            also be matched by ``filter_dtypes`` (name it once).
        claimed: Columns already taken by earlier preprocessors of the same Feature.

    Returns:
        The matching unclaimed columns. With both filters None: every unclaimed column.

    Raises:
        InvalidArgument: Unknown columns, a column named that ``filter_dtypes`` already
            matches, or a filter that leaves nothing to process.
    """
    columns = [str(column) for column in columns]
    claimed = set(claimed)
    wanted_dtypes, wanted_columns = _check_filters(columns, dtypes, filter_dtypes, filter_columns)
    free = [column for column in columns if column not in claimed]
    if not wanted_dtypes and wanted_columns is None:
        matched = free
    else:
        by_dtype = {
            column
            for column in free
            if any(dtype_matches(dtypes[column], wanted) for wanted in wanted_dtypes)
        }
        named = set(wanted_columns or [])
        twice = [column for column in columns if column in by_dtype and column in named]
        if twice:
            raise InvalidArgument(
                f"columns: {twice!r} are already matched by dtypes={filter_dtypes!r}; name each "
                "column through one filter only."
            )
        hits = by_dtype | named
        matched = [column for column in free if (column in hits) == include]
    if not matched:
        raise InvalidArgument(
            f"the filter (include={include}, dtypes={filter_dtypes!r}, "
            f"columns={filter_columns!r}) matches none of the unclaimed columns {free!r} "
            f"(claimed by earlier filters: {sorted(claimed)!r}); change the filter or leave "
            "this preprocessor out."
        )
    return matched


def describe_match(
    columns: list[str],
    dtypes: dict[str, str],
    matched: list[str],
    *,
    include: bool = True,
    filter_dtypes: list[Any] | Any = None,
    filter_columns: list[str] | str | None = None,
    claimed: Iterable[str] = frozenset(),
    what: str = "filter",
) -> str:
    """The verbose message: what each filter matched and which columns remain unclaimed.

    Args:
        columns: The Feature's columns.
        dtypes: The dtype name of each column.
        matched: What ``match_columns`` returned for this filter.
        include: The filter's ``include``.
        filter_dtypes: The filter's dtypes.
        filter_columns: The filter's columns.
        claimed: Columns claimed before this filter.
        what: The preprocessor's name, e.g. ``'FeatureCoder'``.

    Returns:
        A few lines of text.
    """
    columns = [str(column) for column in columns]
    claimed = set(claimed)
    free = [column for column in columns if column not in claimed]
    lines = [f"=> {what} (include={include}) matched {len(matched)} column(s)."]
    if filter_dtypes is not None:
        for wanted in _as_list(filter_dtypes):
            hits = [c for c in free if dtype_matches(dtypes[c], wanted)]
            lines.append(f"   dtypes {wanted!r} matched: {hits}")
    if filter_columns is not None:
        lines.append(f"   columns matched: {[str(c) for c in _as_list(filter_columns)]}")
    lines.append(f"   {'kept' if include else 'kept (all but the matches)'}: {matched}")
    leftover = [column for column in free if column not in matched]
    leftover_dtypes = sorted({str(dtypes[column]) for column in leftover})
    if leftover:
        lines.append(f"   left unclaimed for later filters: {leftover} (dtypes {leftover_dtypes})")
    else:
        lines.append("   no columns are left unclaimed.")
    return "\n".join(lines)


def leftovers(
    columns: list[str], dtypes: dict[str, str], matched: list[str], claimed: Iterable[str] = ()
) -> tuple[list[str], dict[str, str]]:
    """The columns (and their dtypes) that neither this filter nor an earlier one claimed.

    Args:
        columns: The Feature's columns, in order; compared as str.
        dtypes: The dtype name of each column, keyed by its str name.
        matched: What ``match_columns`` returned for this filter.
        claimed: Columns taken by the Feature's earlier preprocessors.

    Returns:
        ``(columns, dtypes)`` of the unclaimed columns, in the Feature's order.
    """
    taken = set(claimed) | set(matched)
    rest = [str(column) for column in columns if str(column) not in taken]
    return rest, {column: str(dtypes[column]) for column in rest}


def check_no_overlap(assignments: list[list[str]]) -> None:
    """Raise when a column is claimed by two preprocessors.

    Args:
        assignments: The columns of each preprocessor, in order.

    Raises:
        InvalidArgument: Naming the column and the two positions that claim it.
    """
    owner: dict[str, int] = {}
    for position, columns in enumerate(assignments):
        for column in columns:
            if column in owner:
                raise InvalidArgument(
                    f"column {column!r} is claimed by preprocessors {owner[column]} and "
                    f"{position}; each column can be processed by one only."
                )
            owner[column] = position
