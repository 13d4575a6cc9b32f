"""Reshaping preprocessed samples, the last step of Feature preprocessing (section 6).

``reshape_indices`` describes the new shape position by position, in terms of the shape of
the preprocessed data (index 0 is the samples, as in the section's examples):

- an int ``n`` takes the size of dimension ``n``;
- a str is a literal size (``'1'`` adds a dimension of 1);
- a tuple multiplies the sizes of the dimensions it names (``(1, 2)`` merges them).

``(0, 2, 3)`` drops the channel of (samples, 1, rows, columns) images; ``(0, '1', 1, 2)``
adds one to (samples, rows, columns). Indices rather than sizes, because each split has
its own sample count. The samples stay the first dimension.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from assay.errors import InvalidArgument


def _size(entry: Any, shape: tuple[int, ...], at: int) -> int:
    if isinstance(entry, (bool, np.bool_)):
        raise InvalidArgument(f"reshape_indices[{at}] must be an int, str or tuple; got {entry!r}.")
    if isinstance(entry, (int, np.integer)):
        if not 0 <= entry < len(shape):
            raise InvalidArgument(
                f"reshape_indices[{at}] = {entry} is out of range for data of shape {shape} "
                f"(indices 0 to {len(shape) - 1})."
            )
        return int(shape[entry])
    if isinstance(entry, str):
        if not entry.strip().isdigit() or int(entry) < 1:
            raise InvalidArgument(
                f"reshape_indices[{at}] = {entry!r} must be a positive size written as a str, "
                "like '1'."
            )
        return int(entry)
    if isinstance(entry, tuple) and entry:
        return math.prod(_size(item, shape, at) for item in entry)
    raise InvalidArgument(
        f"reshape_indices[{at}] must be an int (an index), a str (a size) or a non-empty "
        f"tuple (indices to multiply); got {entry!r}."
    )


def resolve_shape(reshape_indices: tuple, data_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The new shape of data of shape ``data_shape``.

    Args:
        reshape_indices: Ints (indices into ``data_shape``), strs (sizes) and tuples (indices
            whose sizes multiply).
        data_shape: The shape of the preprocessed data, samples first.

    Returns:
        The new shape; its first size is the sample count.

    Raises:
        InvalidArgument: Not a tuple, an index out of range, a bad entry, a new shape whose
            size differs from the data's (both numbers are given), or one that does not
            keep the samples first.
    """
    if not isinstance(reshape_indices, tuple) or not reshape_indices:
        raise InvalidArgument(
            f"reshape_indices must be a non-empty tuple of ints, strs and tuples; got "
            f"{reshape_indices!r}."
        )
    data_shape = tuple(int(size) for size in data_shape)
    new = tuple(_size(entry, data_shape, at) for at, entry in enumerate(reshape_indices))
    if math.prod(new) != math.prod(data_shape):
        raise InvalidArgument(
            f"reshape_indices {reshape_indices} give shape {new}, which holds {math.prod(new)} "
            f"values, but the data of shape {data_shape} holds {math.prod(data_shape)}."
        )
    if data_shape and new[0] != data_shape[0]:
        raise InvalidArgument(
            f"reshape_indices {reshape_indices} give shape {new}, whose first size is not the "
            f"sample count {data_shape[0]}; start with 0 so that each sample is reshaped."
        )
    return new


def column_position(reshape_indices: tuple, data_shape: tuple[int, ...]) -> int:
    """Where the columns (the last dimension of the data) end up after reshaping.

    The position of the entry that names the last index, alone or in a tuple; when no entry
    names it (the columns were written as sizes), the last position.
    """
    last = len(data_shape) - 1
    for at, entry in enumerate(reshape_indices):
        if isinstance(entry, (bool, np.bool_)):
            continue
        if isinstance(entry, (int, np.integer)) and entry == last:
            return at
        if isinstance(entry, tuple) and last in entry:
            return at
    return len(reshape_indices) - 1


def reshape_samples(samples: np.ndarray, reshape_indices: tuple) -> np.ndarray:
    """Reshape a split's samples (first axis); its sample count may differ from other splits'.

    Raises:
        InvalidArgument: As ``resolve_shape``.
    """
    samples = np.asarray(samples)
    return np.reshape(samples, resolve_shape(reshape_indices, tuple(samples.shape)))
