"""JSON rows checked against the Features a model was trained on, before it predicts.

Every problem is reported at once, each naming its row (0-based), its column and what was
expected, in FastAPI's shape for a 422 (``loc``, ``msg``, ``type``) plus ``row``, ``column``
and ``expected`` for clients that read them directly. Checked: each row is an object; it has
every column the model takes and no other; numbers where the model takes numbers (text only
in columns a coder encodes); gaps (null) only where the preprocessing fills them.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from assay.registry.formats.portable import PortableModel

NUMBER = "a number"
TEXT = "text or a number (the column held text in training; a coder encodes it)"


def column_specs(model: PortableModel) -> dict[str, dict[str, Any]]:
    """Each column the model takes: which Feature, what value it expects, whether null is ok.

    A column takes numbers where it held numbers in training (or, in a model file without
    dtypes, where no coder encodes it); else text too.
    """
    from assay.preprocess.filters import is_numeric

    specs = {}
    for at, feature in enumerate(model.features):
        dtypes = feature.dtypes
        for column in feature.trained.columns:
            numeric = (
                is_numeric(dtypes[column])
                if dtypes and column in dtypes
                else column not in feature.encoded
            )
            specs[column] = {
                "feature": at,
                "dtype": None if not dtypes else dtypes.get(column),
                "expected": NUMBER if numeric else TEXT,
                "nullable": column in feature.fillable,
            }
    return specs


def check_rows(rows: list[Any], model: PortableModel) -> list[dict[str, Any]]:
    """The problems of ``rows`` for ``model``; [] when every row fits.

    Args:
        rows: The request's rows, as JSON decoded them.
        model: The model that is to predict them.
    """
    specs = column_specs(model)
    problems: list[dict[str, Any]] = []
    if not rows:
        return [_problem(None, None, "at least one row", "no rows")]
    for at, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(_problem(at, None, "an object of column: value", type(row).__name__))
            continue
        for column in sorted(set(specs) - set(row)):
            problems.append(_problem(at, column, specs[column]["expected"], "nothing (missing)"))
        for column in sorted(set(row) - set(specs)):
            problems.append(
                _problem(
                    at, column, f"only the model's columns {sorted(specs)}", "an unknown column"
                )
            )
        for column, spec in specs.items():
            if column in row:
                wrong = _wrong_value(row[column], spec)
                if wrong is not None:
                    problems.append(_problem(at, column, wrong, repr(row[column])))
    return problems


def _wrong_value(value: Any, spec: dict[str, Any]) -> str | None:
    """What was expected instead of ``value``, or None when it fits."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if missing:
        return None if spec["nullable"] else f"{spec['expected']} (this column takes no gaps)"
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if is_number or (isinstance(value, str) and spec["expected"] == TEXT):
        return None
    return spec["expected"]


def _problem(row: int | None, column: str | None, expected: str, got: str) -> dict[str, Any]:
    """One problem in FastAPI's 422 shape, with its row, column and expectation."""
    where = "rows" if row is None else f"row {row}"
    if column is not None:
        where += f", column {column!r}"
    return {
        "loc": [
            "body",
            "rows",
            *([] if row is None else [row]),
            *([] if column is None else [column]),
        ],
        "msg": f"{where}: expected {expected}; got {got}",
        "type": "value_error",
        "row": row,
        "column": column,
        "expected": expected,
    }


def frames_of(rows: list[dict[str, Any]], model: PortableModel) -> list[pd.DataFrame]:
    """Checked rows as one DataFrame per Feature, in its column order."""
    inputs = []
    for feature in model.features:
        columns = feature.trained.columns
        inputs.append(pd.DataFrame([{c: row[c] for c in columns} for row in rows], columns=columns))
    return inputs
