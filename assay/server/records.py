"""Rows of a Dataset as JSON records: a page of a Dataset, the records behind a cell.

A record is ``{"sample": position, "values": {column: value}}``: a Tabular row's values are
scalars; a Sequence's or an Image's are the column's values through the other dimensions,
as nested lists. Missing values are null, times ISO 8601 strings.
"""

from __future__ import annotations

import json
import math
from typing import Any

from assay.orm.dataset import Dataset


def json_value(value: Any) -> Any:
    """A value as JSON holds it: NumPy values as plain ones, NaN and infinities as null."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [json_value(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return value


def dataset_records(dataset: Dataset, samples: list[int]) -> list[dict[str, Any]]:
    """The rows at ``samples`` (positions) of a Dataset, with every column's values."""
    if not samples:
        return []
    if dataset.typ == "tabular":
        frame = dataset.to_df(samples=samples)
        rows = json.loads(frame.to_json(orient="values", date_format="iso"))
        columns = [str(column) for column in frame.columns]
        return [
            {"sample": sample, "values": dict(zip(columns, row, strict=True))}
            for sample, row in zip(samples, rows, strict=True)
        ]
    array = dataset.to_arr(samples=samples)
    return [
        {
            "sample": sample,
            "values": {
                str(column): json_value(array[at][..., j])
                for j, column in enumerate(dataset.columns)
            },
        }
        for at, sample in enumerate(samples)
    ]
