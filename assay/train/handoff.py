"""Hand preprocessed arrays to a model library in the form it expects.

The samples cache holds NumPy arrays, one per Feature, plus a label. NumPy and scikit-learn
take them as they are; pandas wants frames; PyTorch wants float tensors (and often a
DataLoader); Keras wants float32 arrays, a list of them for a model with several inputs.
torch is imported only inside the functions that need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from assay.errors import InvalidArgument, require

if TYPE_CHECKING:
    import torch
    from torch.utils.data import DataLoader


def _check_features(features: list[np.ndarray], caller: str) -> list[np.ndarray]:
    if isinstance(features, np.ndarray):
        features = [features]
    if not isinstance(features, (list, tuple)) or not features:
        raise InvalidArgument(
            f"{caller}: features must be a non-empty list of arrays, one per Feature; "
            f"got {type(features).__name__}."
        )
    arrays = [np.asarray(array) for array in features]
    count = len(arrays[0])
    for i, array in enumerate(arrays):
        if array.ndim == 0 or len(array) != count:
            raise InvalidArgument(
                f"{caller}: every feature array must have one row per sample ({count}); "
                f"features[{i}] has shape {array.shape}."
            )
    return arrays


def _check_label(label: Any, count: int, caller: str) -> np.ndarray | None:
    if label is None:
        return None
    label = np.asarray(label)
    if label.ndim == 0 or len(label) != count:
        raise InvalidArgument(
            f"{caller}: label must have one row per sample ({count}); got shape {label.shape}."
        )
    return label


def _float32(array: np.ndarray, caller: str, name: str) -> np.ndarray:
    try:
        result = np.ascontiguousarray(array, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"{caller}: {name} must be numeric to become float32; got dtype {array.dtype}; "
            "encode it first (e.g. with a LabelCoder or FeatureCoder)."
        ) from exc
    # A read-only array (a memory-mapped cache file) is copied, so tensors can be written.
    return result if result.flags.writeable else result.copy()


def to_numpy(
    features: list[np.ndarray], label: np.ndarray | None
) -> tuple[np.ndarray | list[np.ndarray], np.ndarray | None]:
    """The arrays as they are: the single feature array, or the list when there are several.

    Args:
        features: One array per Feature.
        label: The label, or ``None``.

    Returns:
        ``(features, label)``.

    Raises:
        InvalidArgument: For no features, or arrays with differing sample counts.
    """
    arrays = _check_features(features, "to_numpy")
    label = _check_label(label, len(arrays[0]), "to_numpy")
    return (arrays[0] if len(arrays) == 1 else arrays), label


def to_pandas(
    features: list[np.ndarray],
    label: np.ndarray | None,
    feature_columns: list[list[str]] | None = None,
    label_columns: list[str] | None = None,
    widen_label: bool = False,
) -> tuple[pd.DataFrame | list[pd.DataFrame], pd.DataFrame | None]:
    """The arrays as DataFrames, for libraries and users that want named columns.

    Args:
        features: One 2D array per Feature (samples x columns).
        label: The label (1D or 2D), or ``None``.
        feature_columns: Column names for each feature array; default 0, 1, 2...
        label_columns: Column names for the label; default ``['label']`` for a 1D label,
            else 0, 1, 2...
        widen_label: The label was encoded (a LabelCoder), so it may have more columns
            than ``label_columns`` names: they become ``<column>_<i>``
            (see :func:`label_column_names`).

    Returns:
        ``(frame or list of frames, label frame or None)``.

    Raises:
        InvalidArgument: For a feature that is not 2D, or column names that do not match.
    """
    arrays = _check_features(features, "to_pandas")
    if feature_columns is not None and len(feature_columns) != len(arrays):
        raise InvalidArgument(
            f"to_pandas: feature_columns must hold one list of names per feature "
            f"({len(arrays)}); got {len(feature_columns)}."
        )
    frames = []
    for i, array in enumerate(arrays):
        if array.ndim != 2:
            raise InvalidArgument(
                f"to_pandas: only 2D features (samples x columns) can become DataFrames; "
                f"features[{i}] has shape {array.shape}; use library 'numpy' or 'pytorch'."
            )
        columns = None if feature_columns is None else list(feature_columns[i])
        frames.append(_frame(array, columns, f"feature_columns[{i}]"))
    label = _check_label(label, len(arrays[0]), "to_pandas")
    label_frame = None
    if label is not None:
        if widen_label and label_columns is not None:
            width = label.shape[1] if label.ndim == 2 else 1
            label_columns = label_column_names(list(label_columns), True, width)
        if label.ndim == 1:
            label_frame = _frame(
                label[:, None],
                ["label"] if label_columns is None else label_columns,
                "label_columns",
            )
        elif label.ndim == 2:
            label_frame = _frame(label, label_columns, "label_columns")
        else:
            raise InvalidArgument(
                f"to_pandas: the label must be 1D or 2D to become a DataFrame; "
                f"got shape {label.shape}."
            )
    return (frames[0] if len(frames) == 1 else frames), label_frame


def _frame(array: np.ndarray, columns: list[str] | None, name: str) -> pd.DataFrame:
    if columns is not None and len(columns) != array.shape[1]:
        raise InvalidArgument(
            f"to_pandas: {name} must name all {array.shape[1]} columns; got {len(columns)}: "
            f"{list(columns)!r}."
        )
    return pd.DataFrame(array, columns=columns)


def to_torch(
    features: list[np.ndarray], label: np.ndarray | None
) -> tuple[torch.Tensor | list[torch.Tensor], torch.Tensor | None]:
    """The arrays as float32 tensors (``FloatTensor``), the label too.

    Args:
        features: One array per Feature.
        label: The label, or ``None``.

    Returns:
        ``(tensor or list of tensors, label tensor or None)``.

    Raises:
        InvalidArgument: For non-numeric arrays or differing sample counts.
        MissingDependency: When torch is not installed.
    """
    torch = require("torch", extra="torch", caller="to_torch")
    arrays = _check_features(features, "to_torch")
    label = _check_label(label, len(arrays[0]), "to_torch")
    tensors = [
        torch.from_numpy(_float32(array, "to_torch", f"features[{i}]"))
        for i, array in enumerate(arrays)
    ]
    label_tensor = None if label is None else torch.from_numpy(_float32(label, "to_torch", "label"))
    return (tensors[0] if len(tensors) == 1 else tensors), label_tensor


def to_dataloader(
    features: list[np.ndarray],
    label: np.ndarray | None,
    *,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int | None = None,
) -> DataLoader:
    """A torch DataLoader over the float32 tensors.

    Each batch is a tuple ``(feature_0, ..., feature_n, label)`` (no label when ``None``).

    Args:
        features: One array per Feature.
        label: The label, or ``None``.
        batch_size: Samples per batch.
        shuffle: Reshuffle every epoch; ``False`` keeps the original order.
        seed: Seed for the shuffling, for reproducible batches.

    Returns:
        A ``torch.utils.data.DataLoader`` over a ``TensorDataset``.

    Raises:
        InvalidArgument: For a batch size below 1, or arrays :func:`to_torch` rejects.
        MissingDependency: When torch is not installed.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgument(f"batch_size must be an int of at least 1; got {batch_size!r}.")
    torch = require("torch", extra="torch", caller="to_dataloader")
    from torch.utils.data import DataLoader, TensorDataset

    x, y = to_torch(features, label)
    tensors = list(x) if isinstance(x, list) else [x]
    if y is not None:
        tensors.append(y)
    generator = None
    if shuffle and seed is not None:
        generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        TensorDataset(*tensors), batch_size=batch_size, shuffle=shuffle, generator=generator
    )


def to_keras(
    features: list[np.ndarray], label: np.ndarray | None
) -> tuple[np.ndarray | list[np.ndarray], np.ndarray | None]:
    """The arrays as float32 NumPy arrays for ``keras.Model.fit``.

    Args:
        features: One array per Feature; several become a list for a multi-input model.
        label: The label, or ``None``.

    Returns:
        ``(x, y)``: x a single array or a list of arrays, y an array or ``None``.

    Raises:
        InvalidArgument: For non-numeric arrays or differing sample counts.
    """
    arrays = _check_features(features, "to_keras")
    label = _check_label(label, len(arrays[0]), "to_keras")
    x = [_float32(array, "to_keras", f"features[{i}]") for i, array in enumerate(arrays)]
    y = None if label is None else _float32(label, "to_keras", "label")
    return (x[0] if len(x) == 1 else x), y


def unwrap(features: list[np.ndarray]) -> Any:
    """One Feature's array as itself; several as a list (what an Algorithm's functions take)."""
    return features[0] if len(features) == 1 else features


def sample_shapes(features: list[np.ndarray], label: np.ndarray | None) -> tuple[Any, Any]:
    """The shape of one sample of the features (a list when several) and of the label."""
    shapes = [tuple(array.shape[1:]) for array in features]
    label_shape = None if label is None else tuple(label.shape[1:])
    return (shapes[0] if len(shapes) == 1 else shapes), label_shape


def part_of(arrays: Any, part: str, library: str | None = None) -> Any:
    """The features or the label of a split, as ``Splitset.fetch_cache`` hands them out.

    Args:
        arrays: The split's ``(features, label)`` (a ``SplitArrays``).
        part: ``'features'`` or ``'label'``.
        library: ``'pytorch'`` for float32 tensors; None or ``'numpy'`` for ndarrays.

    Returns:
        The label (None when there is none), or the features: one array (tensor) for one
        Feature, a list for several.
    """
    features, label = arrays
    value: Any = label if part == "label" else features
    if library == "pytorch" and value is not None:
        import torch

        value = (
            [torch.as_tensor(v, dtype=torch.float32) for v in value]
            if isinstance(value, list)
            else torch.as_tensor(value, dtype=torch.float32)
        )
    if part == "features" and isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def label_column_names(columns: list[str], coded: bool, width: int) -> list[str]:
    """Names of a label's columns after encoding: its own, or ``<column>_<i>`` when widened.

    Args:
        columns: The Label's columns.
        coded: Whether a LabelCoder encodes it.
        width: The encoded label's column count.
    """
    if not coded or width == len(columns):
        return list(columns)
    return [f"{columns[0]}_{i}" for i in range(width)]
