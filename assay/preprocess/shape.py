"""Reshaping preprocessed samples, the last step (section 6).

``reshape_indices`` describes the new shape of the whole array, position by position: an int
``n`` takes the size of dimension ``n`` of the current shape, a str is a literal size, and a
tuple multiplies the sizes of the dimensions it names. ``(0, 2, 3)`` drops the channel of
(samples, 1, rows, columns) images; ``(0, '1', 1, 2)`` adds one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from assay.errors import InvalidArgument


def _size(entry: Any, shape: tuple[int, ...], at: int) -> int:
    if isinstance(entry, bool):
        raise InvalidArgument(f"reshape_indices[{at}] must be an int, str or tuple; got {entry!r}.")
    if isinstance(entry, (int, np.integer)):
        if not 0 <= entry < len(shape):
            raise InvalidArgument(
                f"reshape_indices[{at}] = {entry} is out of range for data of shape {shape} "
                f"(indices 0 to {len(shape) - 1})."
            )
        return int(shape[entry])
    if isinstance(entry, str):
        if not entry.isdigit() or int(entry) < 1:
            raise InvalidArgument(
                f"reshape_indices[{at}] = {entry!r} must be a positive size like '1'."
            )
        return int(entry)
    if isinstance(entry, tuple) and entry:
        return math.prod(_size(item, shape, at) for item in entry)
    raise InvalidArgument(f"reshape_indices[{at}] must be an int, str or tuple; got {entry!r}.")


def resolve_shape(reshape_indices: tuple, data_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The new shape of data of ``data_shape`` (index 0 is the samples).

    Raises:
        InvalidArgument: Indices out of range, or a new shape with a different size.
    """
    if not isinstance(reshape_indices, tuple) or not reshape_indices:
        raise InvalidArgument(
            f"reshape_indices must be a non-empty tuple; got {reshape_indices!r}."
        )
    new = tuple(_size(entry, data_shape, at) for at, entry in enumerate(reshape_indices))
    if math.prod(new) != math.prod(data_shape):
        raise InvalidArgument(
            f"reshape_indices {reshape_indices} give shape {new} ({math.prod(new)} values), but "
            f"the data of shape {data_shape} holds {math.prod(data_shape)}."
        )
    return new


def column_position(reshape_indices: tuple, data_shape: tuple[int, ...]) -> int:
    """Where the columns (the last dimension before reshaping) end up in the new shape."""
    last = len(data_shape) - 1
    for at, entry in enumerate(reshape_indices):
        if entry == last and not isinstance(entry, bool):
            return at
        if isinstance(entry, tuple) and last in entry:
            return at
    return len(reshape_indices) - 1


def reshape_samples(samples: np.ndarray, reshape_indices: tuple) -> np.ndarray:
    """Reshape a split's samples; the sample count may differ from when it was recorded."""
    return np.reshape(samples, resolve_shape(reshape_indices, tuple(samples.shape)))
