"""Sliding windows over a time series, aligned to its end, for walk-forward forecasting.

Windows are aligned to the end of the series and step by ``size_shift``; each unshifted
window (the past: what a model learns from) holds ``size_window`` timesteps, and its
shifted window (the future: what it predicts) the ``size_shift`` timesteps that follow.
With ``size_window=21`` and ``size_shift=7`` over 100 timesteps::

    timestep   0 1 | 2 ...... 22 | 23 .. 29 |  ...  | 72 ...... 92 | 93 .. 99 |
                   | window 0    | future 0 |       | window 10    | future 10|
                   |  (21 steps) | (7 steps)|       |              |          |
               ^^^ left out: stepping back by 7 from the end leaves two rows

    window i = timesteps [2 + 7i, 23 + 7i),  future i = [23 + 7i, 30 + 7i)   (i = 0..10)

Eleven windows fit. With ``record_shifted=False`` (inference) no future is known, so a
window needs only its past, and one more window fits at the end: the latest 21 steps,
whose future is what inference predicts::

    ... | 72 ...... 92 | 93 .. 99 |
              | 79 ............ 99 |   window 11 (no future)

Window 0 then still starts at timestep 2, so the first eleven windows are the same either
way.

A timestep is whatever the data's first axis holds: a row of a table, or a whole sample of
a Sequence (3D) or Image (4D) Dataset; a window then stacks ``size_window`` such samples.
"""

from __future__ import annotations

import numpy as np

from assay.errors import InvalidArgument


def _check_size(argument: str, value: object) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidArgument(f"{argument} must be an int >= 1; got {value!r}.")
    if value < 1:
        raise InvalidArgument(f"{argument} must be an int >= 1; got {value}.")
    return int(value)


def window_count(
    step_count: int, size_window: int, size_shift: int, record_shifted: bool = True
) -> int:
    """How many windows ``window_indices`` cuts (0 when not even one fits).

    Args:
        step_count: Timesteps in the series.
        size_window: Timesteps in each window; not checked here (see ``window_indices``).
        size_shift: Timesteps between windows' starts, and in each shifted window.
        record_shifted: Leave ``size_shift`` timesteps after the last window for its
            shifted window (training); False lets the last window end at the last timestep.
    """
    room = step_count - size_window - (size_shift if record_shifted else 0)
    return 0 if room < 0 else room // size_shift + 1


def window_indices(
    step_count: int, size_window: int, size_shift: int, record_shifted: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Timestep indices of each window (chronological), and of its future if recorded.

    Args:
        step_count: The number of timesteps in the series.
        size_window: Timesteps in each (unshifted) window.
        size_shift: Timesteps between windows, and in each shifted window.
        record_shifted: Keep the shifted windows (training); False for inference, which
            adds the latest ``size_window`` timesteps as one more window.

    Returns:
        ``(unshifted, shifted)``: int arrays of shape ``(window_count, size_window)`` and
        ``(window_count, size_shift)``; ``shifted`` is None when ``record_shifted`` is False.

    Raises:
        InvalidArgument: Sizes that are not ints >= 1, or a series too short for one window.
    """
    size_window = _check_size("size_window", size_window)
    size_shift = _check_size("size_shift", size_shift)
    if isinstance(step_count, (bool, np.bool_)) or not isinstance(step_count, (int, np.integer)):
        raise InvalidArgument(f"step_count must be an int; got {step_count!r}.")
    step_count = int(step_count)
    if size_window > step_count:
        raise InvalidArgument(
            f"size_window={size_window} is longer than the series ({step_count} timesteps); "
            "make the window smaller."
        )
    if record_shifted and size_window + size_shift > step_count:
        raise InvalidArgument(
            f"size_window={size_window} + size_shift={size_shift} = "
            f"{size_window + size_shift} timesteps is more than the series has ({step_count}); "
            "make size_window or size_shift smaller."
        )
    count = window_count(step_count, size_window, size_shift, record_shifted)
    # The latest window ends at the last timestep (inference) or size_shift before it.
    last_end = step_count - (size_shift if record_shifted else 0)
    ends = last_end - size_shift * np.arange(count - 1, -1, -1, dtype=np.int64)
    unshifted = ends[:, None] - size_window + np.arange(size_window, dtype=np.int64)[None, :]
    if not record_shifted:
        return unshifted, None
    shifted = ends[:, None] + np.arange(size_shift, dtype=np.int64)[None, :]
    return unshifted, shifted


def apply_windows(data: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Cut windows out of data whose first axis is time.

    Args:
        data: 2D (timesteps x columns), or N-D with time first.
        indices: ``(window_count, size)`` timestep indices from ``window_indices``.

    Returns:
        ``(window_count, size, columns...)``: one more dimension than ``data``.

    Raises:
        InvalidArgument: Data below 2D, or indices beyond its timesteps.
    """
    data = np.asarray(data)
    indices = np.asarray(indices)
    if data.ndim < 2:
        raise InvalidArgument(
            f"windows are cut from 2D data (timesteps x columns); got {data.ndim}D."
        )
    if indices.ndim != 2:
        raise InvalidArgument(f"indices must be 2D (windows x timesteps); got {indices.ndim}D.")
    if indices.size and (indices.min() < 0 or indices.max() >= len(data)):
        raise InvalidArgument(
            f"indices reach timestep {int(indices.max())}, but the data has {len(data)}."
        )
    return data[indices]
