"""New samples for a trained Predictor: what a user may hand over, and predicting in memory.

- ``as_inputs`` reads what ``Inference`` and ``Predictor.predict`` accept as one value per
  Feature: a DataFrame, a dict of columns or a list of records is one dataset; a list of
  datasets gives one per Feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument


def as_inputs(value: Any, feature_count: int, argument: str = "input_datasets") -> list[Any]:
    """One input per Feature, in order, from what a user handed over.

    A DataFrame, a dict of columns (``{"age": [31, 45]}``), a single record
    (``{"age": 31}``) or a list of records (``[{"age": 31}, {"age": 45}]``) is one
    dataset, for a Predictor of one Feature; dicts become DataFrames. Any other list is one
    dataset per Feature (a Predictor of several Features), each in any of these forms or a
    Dataset, its id, an ndarray or a file path.

    Args:
        value: What the user handed over.
        feature_count: How many Features the Predictor was trained on.
        argument: The argument's name, for errors.

    Raises:
        InvalidArgument: A list that mixes records with datasets, rows as lists (no column
            names), or a count of datasets that is not the Predictor's Feature count.
    """
    if isinstance(value, Mapping):
        inputs = [frame_of(value, argument)]
    elif not isinstance(value, (list, tuple)):
        inputs = [value]
    else:
        inputs = _list_inputs(list(value), feature_count, argument)
    if len(inputs) != feature_count:
        raise InvalidArgument(
            f"{argument}: the Predictor was trained on {feature_count} Feature(s); got "
            f"{len(inputs)} dataset(s). Pass one dataset per Feature, in order."
        )
    return inputs


def _list_inputs(items: list[Any], feature_count: int, argument: str) -> list[Any]:
    """A list: records (one dataset) or datasets (one per Feature)."""
    if not items:
        raise InvalidArgument(f"{argument} is an empty list; pass a dataset or some records.")
    records = [is_record(item) for item in items]
    if all(records):
        if feature_count != 1:
            raise InvalidArgument(
                f"{argument}: a list of records (dicts of one value per column) is one "
                f"dataset, but the Predictor was trained on {feature_count} Features; pass a "
                f"list of {feature_count} datasets, one per Feature, in order."
            )
        return [pd.DataFrame([dict(item) for item in items])]
    if any(records):
        raise InvalidArgument(
            f"{argument} mixes records (dicts of one value per column, at positions "
            f"{[at for at, record in enumerate(records) if record]}) with datasets; pass "
            "either a list of records (one dataset) or one dataset per Feature."
        )
    if all(isinstance(item, (list, tuple)) for item in items):
        raise InvalidArgument(
            f"{argument}: rows given as lists have no column names; pass a DataFrame or "
            "records (dicts of column: value), so that the Predictor's columns can be found."
        )
    return [
        frame_of(item, f"{argument}[{at}]") if isinstance(item, Mapping) else item
        for at, item in enumerate(items)
    ]


def is_record(value: Any) -> bool:
    """Whether ``value`` is one record: a dict of one value (not a list of them) per column."""
    return isinstance(value, Mapping) and all(np.ndim(v) == 0 for v in value.values())


def frame_of(value: Mapping, argument: str) -> pd.DataFrame:
    """A dict of columns, or one record, as a DataFrame."""
    if is_record(value):
        return pd.DataFrame([dict(value)])
    try:
        return pd.DataFrame(dict(value))
    except ValueError as exc:
        raise InvalidArgument(
            f"{argument}: a dict must map each column to its values, all of one length, or "
            f"each column to one value (a record); pandas says: {exc}"
        ) from exc
