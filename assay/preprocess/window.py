"""Sliding windows over a time series, aligned to its end, for walk-forward forecasting.

With ``size_window=21`` and ``size_shift=7`` over 100 timesteps (predict the next 7 from
the past 21)::

    timestep   0 1 | 2 ........ 22 | 23 ... 29 | ...          | 72 ........ 92 | 93 ... 99
                   | window 0 (21) | future 0  |              | window 10 (21) | future 10
               ^^^ left out: the windows step back by 7 from the end, and two rows remain

    window i  = timesteps [2 + 7i, 2 + 7i + 21)      (unshifted: the past, the features)
    future i  = the 7 timesteps right after it        (shifted: the target)

Eleven windows fit. With ``record_shifted=False`` (inference) no future is known, so every
window needs only its past, and one more window ends at the last timestep: the latest 21
steps, whose future is what inference predicts::

    window 11 = timesteps [79, 100)                   (no shifted window)
"""

from __future__ import annotations

import numpy as np

from assay.errors import InvalidArgument


def window_indices(
    step_count: int, size_window: int, size_shift: int, record_shifted: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Timestep indices of each window (chronological), and of its future if recorded.

    Returns:
        ``(unshifted, shifted)``: int arrays of shape ``(window_count, size_window)`` and
        ``(window_count, size_shift)``; ``shifted`` is None when ``record_shifted`` is False.

    Raises:
        InvalidArgument: Sizes below 1, or a series too short for a single window.
    """
    for argument, value in (("size_window", size_window), ("size_shift", size_shift)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidArgument(f"{argument} must be an int >= 1; got {value!r}.")
    needed = size_window + size_shift
    if size_window > step_count or (record_shifted and needed > step_count):
        raise InvalidArgument(
            f"size_window ({size_window}) + size_shift ({size_shift}) = {needed} timesteps is "
            f"more than the series has ({step_count}); make the windows smaller."
            if record_shifted
            else f"size_window ({size_window}) is longer than the series ({step_count} timesteps)."
        )
    # Futures end at the last timestep and step back by size_shift.
    last_end = step_count - size_shift  # the end (exclusive) of the latest window with a future
    ends = np.arange(last_end, size_window - 1, -size_shift)[::-1]
    if not record_shifted:
        ends = np.append(ends, step_count)
    unshifted = ends[:, None] - size_window + np.arange(size_window)[None, :]
    if not record_shifted:
        return unshifted.astype(np.int64), None
    shifted = ends[:, None] + np.arange(size_shift)[None, :]
    return unshifted.astype(np.int64), shifted.astype(np.int64)


def apply_windows(data: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Cut windows out of 2D data (timesteps x columns): 3D (windows x size x columns)."""
    data = np.asarray(data)
    if data.ndim != 2:
        raise InvalidArgument(
            f"windows are cut from 2D data (timesteps x columns); got {data.ndim}D."
        )
    return data[indices]
