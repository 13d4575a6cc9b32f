"""Apply the preprocessing steps in order (interpolate, impute, encode, window, shape).

This is where leakage is prevented: every step that learns from data learns from the
``train`` samples only (categorical encoders excepted: they learn the categories of every
sample), and every other split is transformed with what was learned. With ``fitted`` given
(an inference splitset, or a fold's evaluation) nothing is refitted.

Imputers are coders that run first: each fills its columns in place, so the coders after
it (which may encode the same columns) learn from and transform filled values.

Samples are rows of a table, or the first axis of an N-D array; when a Feature has a Window
the samples are windows, and each window's timesteps are the rows behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from assay.preprocess import encode, interpolate, shape


@dataclass(frozen=True)
class InterpolateStep:
    """Interpolate ``columns`` with ``kwargs`` (pandas), training rows alone if separately."""

    columns: list[str]
    kwargs: dict[str, Any]
    process_separately: bool = True


@dataclass(frozen=True)
class EncodeStep:
    """Encode ``columns`` with a copy of ``encoder`` at ``dimension``; categorical ones see all.

    An imputer (``is_imputer``) fills its columns in place instead of laying out new ones;
    imputers come before the other coders in ``Steps.coders``.
    """

    encoder: Any
    dimension: str
    columns: list[str]
    is_categorical: bool = False
    is_imputer: bool = False


@dataclass(frozen=True)
class Windows:
    """Timestep indices of each window: unshifted (features) and shifted (targets, or None)."""

    unshifted: np.ndarray
    shifted: np.ndarray | None = None


@dataclass(frozen=True)
class Steps:
    """Everything recorded for a Feature or a Label, in the order it is applied."""

    columns: list[str]
    interpolaters: list[InterpolateStep] = field(default_factory=list)
    coders: list[EncodeStep] = field(default_factory=list)
    windows: Windows | None = None
    reshape_indices: tuple | None = None


@dataclass
class Preprocessed:
    """Arrays per split, the fitted coders, and for windows the shifted targets per split."""

    arrays: dict[str, np.ndarray]
    fitted: list[Any]
    shifted: dict[str, np.ndarray] | None = None


def preprocess(
    data: pd.DataFrame | np.ndarray,
    splits: dict[str, np.ndarray],
    steps: Steps,
    *,
    train_key: str | None,
    fitted: list[Any] | None = None,
) -> Preprocessed:
    """Preprocess every split of ``data``, fitting on ``splits[train_key]`` only.

    Args:
        data: The Feature's or Label's data: a DataFrame (tabular) or an N-D array whose
            last axis holds ``steps.columns``.
        splits: Sample indices (rows, or windows when ``steps.windows``) by split name.
        steps: What to apply.
        train_key: The split to fit on; None only together with ``fitted``.
        fitted: Coders fitted earlier (inference): transform with these, never refit.

    Returns:
        The preprocessed arrays by split, the fitted coders (in ``steps.coders`` order), and
        the windows' shifted targets when the Feature has windows with a future.
    """
    if fitted is None and train_key is None:
        raise ValueError("train_key is required unless fitted coders are given")
    rows = {name: rows_behind(samples, steps.windows) for name, samples in splits.items()}
    train_rows = rows[train_key] if train_key is not None else None
    filled = fill_gaps(data, rows, train_rows, steps)
    if fitted is None:
        fitted = fit_coders(filled, train_rows, rows, steps)
    arrays: dict[str, np.ndarray] = {}
    shifted: dict[str, np.ndarray] | None = {} if _has_future(steps) else None
    for name, samples in splits.items():
        source = filled.get(name, filled.get(None))
        if steps.windows is None:
            arrays[name] = encode_block(_rows_of(source, samples), steps, fitted)
            continue
        encoded = encode_block(_rows_of(source, rows[name]), steps, fitted)
        position = {row: at for at, row in enumerate(rows[name])}
        arrays[name] = encoded[_positions(steps.windows.unshifted[samples], position)]
        if shifted is not None:
            shifted[name] = encoded[_positions(steps.windows.shifted[samples], position)]
    if steps.reshape_indices is not None:
        arrays = {
            name: shape.reshape_samples(array, steps.reshape_indices)
            for name, array in arrays.items()
        }
    return Preprocessed(arrays=arrays, fitted=fitted, shifted=shifted)


def rows_behind(samples: np.ndarray, windows: Windows | None) -> np.ndarray:
    """The rows (timesteps) that samples stand for: themselves, or their windows' rows."""
    samples = np.asarray(samples, dtype=np.int64)
    if windows is None:
        return samples
    parts = [windows.unshifted[samples].ravel()]
    if windows.shifted is not None:
        parts.append(windows.shifted[samples].ravel())
    return np.unique(np.concatenate(parts))


def fill_gaps(
    data: pd.DataFrame | np.ndarray,
    rows: dict[str, np.ndarray],
    train_rows: np.ndarray | None,
    steps: Steps,
) -> dict[str | None, Any]:
    """Interpolate; returns the data each split sees (key None: the same for every split).

    Tabular data: the training rows are interpolated alone; each other split's rows are
    interpolated after the training rows and cut back out (``interpolate_without_leakage``).
    N-D data: each sample is interpolated on its own, so no split can leak into another.

    Args:
        data: The Feature's or Label's raw data: a DataFrame, or an N-D array whose last
            axis holds ``steps.columns``.
        rows: The rows (timesteps, for windows) behind each split, by split name.
        train_rows: The training rows; None (inference) interpolates every row together.
        steps: Its ``interpolaters`` are applied in order; ``columns`` locates their
            columns in an array.
    """
    if not steps.interpolaters:
        # One conversion up front: row selections on an array are much cheaper than iloc.
        return {None: data.to_numpy() if isinstance(data, pd.DataFrame) else data}
    if not isinstance(data, pd.DataFrame):
        out = np.array(data, dtype=np.float64 if data.dtype.kind != "f" else data.dtype)
        for step in steps.interpolaters:
            at = [steps.columns.index(column) for column in step.columns]
            out[..., at] = interpolate.interpolate_array(out[..., at], step.kwargs)
        return {None: out}
    filled: dict[str | None, Any] = {}
    for name, split_rows in rows.items():
        frame = data.copy()
        for step in steps.interpolaters:
            block = data[step.columns]
            if not step.process_separately or train_rows is None:
                frame.loc[:, step.columns] = interpolate.interpolate_frame(block, step.kwargs)
                continue
            others = np.setdiff1d(split_rows, train_rows)
            done = interpolate.interpolate_without_leakage(
                block, train_rows, {"other": others}, step.kwargs
            )
            frame.iloc[train_rows, _column_positions(frame, step.columns)] = _values(done["train"])
            if len(others):
                frame.iloc[others, _column_positions(frame, step.columns)] = _values(done["other"])
        filled[name] = frame
    return filled


def fit_coders(
    filled: dict[str | None, Any],
    train_rows: np.ndarray | None,
    rows: dict[str, np.ndarray],
    steps: Steps,
) -> list[Any]:
    """Fit a copy of each coder: on the training rows, or on every row if categorical.

    The coders after an imputer learn from what it filled.

    Args:
        filled: What ``fill_gaps`` returned: the data by split name, or under None for all.
        train_rows: The rows the non-categorical coders learn from; required.
        rows: Each split's rows by split name; not read at present.
        steps: Its ``coders``, fitted in order (imputers first) on copies.

    Returns:
        One fitted coder per ``steps.coders``, in that order.
    """
    if train_rows is None:
        raise ValueError("fitting coders needs the training rows")
    source = filled.get("train", filled.get(None))
    if source is None:
        source = next(iter(filled.values()))
    training = _flat(_rows_of(source, train_rows))
    everything = None
    if any(step.is_categorical for step in steps.coders):
        source = filled.get(None)
        if source is None:  # interpolated per split: categories come from the raw columns
            source = next(iter(filled.values()))
        everything = _flat(source)
    fitted = []
    for step in steps.coders:
        block = _columns(
            everything if step.is_categorical else training, steps.columns, step.columns
        )
        coder, _ = encode.fit_encoder(clone(step.encoder), block, dimension=step.dimension)
        fitted.append(coder)
        if step.is_imputer:
            training = impute_block(training, steps.columns, [(step, coder)])
            if everything is not None:
                everything = impute_block(everything, steps.columns, [(step, coder)])
    return fitted


def impute_all(flat: np.ndarray, steps: Steps) -> np.ndarray:
    """A 2D block filled by the imputers of ``steps``, each fitted on all of it.

    Only for trying a coder on the data it will see (its dimension and column names);
    preprocessing fits imputers on the training samples.
    """
    imputers = Steps(steps.columns, coders=[step for step in steps.coders if step.is_imputer])
    if not imputers.coders:
        return flat
    fitted = fit_coders({None: flat}, np.arange(len(flat)), {}, imputers)
    return impute_block(flat, steps.columns, list(zip(imputers.coders, fitted, strict=True)))


def impute_block(
    flat: np.ndarray, columns: list[str], imputers: list[tuple[Any, Any]]
) -> np.ndarray:
    """A copy of a 2D block with each imputer's columns filled by it, in order.

    Args:
        flat: Samples x ``columns``.
        columns: The block's columns.
        imputers: ``(EncodeStep, fitted imputer)`` pairs.
    """
    if not imputers:
        return flat
    out = flat.astype(np.float64) if flat.dtype.kind in "biu" else flat.copy()
    for step, coder in imputers:
        at = [columns.index(column) for column in step.columns]
        out[:, at] = encode.transform(coder, step.dimension, out[:, at])
    return out


def _pairs(steps: Steps, fitted: list[Any], imputers: bool) -> list[tuple[EncodeStep, Any]]:
    """The imputers (or the other coders) of ``steps`` with their fitted copies."""
    pairs = zip(steps.coders, fitted, strict=True)
    return [(step, coder) for step, coder in pairs if step.is_imputer == imputers]


def encode_block(samples: Any, steps: Steps, fitted: list[Any]) -> np.ndarray:
    """Encode some samples: each coder's columns in coder order, then the unclaimed columns.

    N-D samples are encoded along their last axis (columns) and keep their other axes.

    Args:
        samples: A DataFrame or an array whose last axis holds ``steps.columns``.
        steps: Its ``coders`` say which columns each coder takes.
        fitted: One fitted coder per ``steps.coders`` (see ``fit_coders``).

    Returns:
        The encoded array: the same leading axes, the encoded columns on the last.
    """
    array = samples.to_numpy() if isinstance(samples, pd.DataFrame) else np.asarray(samples)
    if not steps.coders:
        return array
    lead = array.shape[:-1]
    flat = impute_block(
        array.reshape(-1, array.shape[-1]), steps.columns, _pairs(steps, fitted, imputers=True)
    )
    coders = _pairs(steps, fitted, imputers=False)
    claimed = {column for step, _ in coders for column in step.columns}
    parts = []
    for step, coder in coders:
        encoded = encode.transform(
            coder, step.dimension, _columns(flat, steps.columns, step.columns)
        )
        parts.append(np.asarray(encoded, dtype=np.float64 if encoded.dtype == object else None))
    rest = [column for column in steps.columns if column not in claimed]
    if rest:
        parts.append(_columns(flat, steps.columns, rest))
    parts = [part.reshape(len(flat), -1) for part in parts]
    out = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
    if out.dtype == object:  # a table's untouched numeric columns beside encoded text ones
        out = encode.as_numbers_if_possible(out)
    return out.reshape(*lead, out.shape[-1])


def _columns(block: np.ndarray, columns: list[str], wanted: list[str]) -> np.ndarray:
    """Some columns of a 2D block; all of them in order without a copy."""
    if wanted == columns:
        return block
    return block[:, [columns.index(column) for column in wanted]]


def decode_block(encoded: np.ndarray, steps: Steps, fitted: list[Any]) -> np.ndarray:
    """Undo ``encode_block``: each coder's block through its inverse, in the original columns.

    Used for windowed targets, whose values are a Feature's encoded columns. The last axis
    holds the encoded columns; every other axis is kept. Imputers lay out no columns of
    their own, so they have nothing to undo: filled values decode as they are.

    Args:
        encoded: Values laid out as ``encode_block`` returns them, encoded columns last.
        steps: The Steps that encoded them.
        fitted: The coders that encoded them, one per ``steps.coders``.

    Returns:
        Floats with ``steps.columns`` on the last axis, in their original order.

    Raises:
        InvalidArgument: A coder that cannot be inverted.
    """
    encoded = np.asarray(encoded, dtype=np.float64)
    coders = _pairs(steps, fitted, imputers=False)
    if not coders:
        return encoded
    lead = encoded.shape[:-1]
    flat = encoded.reshape(-1, encoded.shape[-1])
    out = np.empty((len(flat), len(steps.columns)), dtype=np.float64)
    start = 0
    for step, coder in coders:
        width = len(encode.encoded_column_names(coder, step.dimension, step.columns))
        decoded = encode.inverse_transform(coder, step.dimension, flat[:, start : start + width])
        out[:, [steps.columns.index(column) for column in step.columns]] = np.asarray(
            decoded, dtype=np.float64
        ).reshape(len(flat), -1)
        start += width
    claimed = {column for step, _ in coders for column in step.columns}
    rest = [at for at, column in enumerate(steps.columns) if column not in claimed]
    if rest:
        out[:, rest] = flat[:, start:]
    return out.reshape(*lead, len(steps.columns))


def encoded_columns(steps: Steps, coder_names: list[list[str]]) -> list[str]:
    """The column names after encoding, in the order ``encode_block`` lays them out.

    Args:
        steps: The recorded steps.
        coder_names: The encoded names of each coder in ``steps.coders`` (imputers' too).
    """
    coders = _pairs(steps, coder_names, imputers=False)
    claimed = {column for step, _ in coders for column in step.columns}
    names = [name for _, names in coders for name in names]
    return names + [column for column in steps.columns if column not in claimed]


def _has_future(steps: Steps) -> bool:
    return steps.windows is not None and steps.windows.shifted is not None


def _rows_of(source: Any, rows: np.ndarray) -> Any:
    if isinstance(source, pd.DataFrame):
        return source.iloc[rows]
    return source[rows]


def _flat(source: Any) -> np.ndarray:
    """Samples as a 2D block of columns (their last axis)."""
    array = source.to_numpy() if isinstance(source, pd.DataFrame) else np.asarray(source)
    return array.reshape(-1, array.shape[-1])


def _positions(indices: np.ndarray, position: dict[int, int]) -> np.ndarray:
    return np.vectorize(position.__getitem__, otypes=[np.int64])(indices)


def _column_positions(frame: pd.DataFrame, columns: list[str]) -> list[int]:
    return [frame.columns.get_loc(column) for column in columns]


def _values(done: Any) -> np.ndarray:
    return done.to_numpy() if isinstance(done, pd.DataFrame) else np.asarray(done)
