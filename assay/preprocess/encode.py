"""Encoding with class-based scikit-learn preprocessors, without leakage (section 5).

Only an instance of a scikit-learn transformer is accepted (``StandardScaler()``, not the
class or ``scale``). Settings that would break later steps are corrected on a copy and
reported. How an encoder takes its input (all columns at once, one column at a time, or a
1D array) is found by trying, and recorded, so that every split is encoded the same way.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from assay.errors import InvalidArgument

DIMENSIONS = ("2D_multiColumn", "2D_singleColumn", "1D")
CATEGORICAL = {
    "OneHotEncoder",
    "OrdinalEncoder",
    "LabelBinarizer",
    "LabelEncoder",
    "MultiLabelBinarizer",
}


def check_encoder(sklearn_preprocess: Any) -> tuple[Any, list[str]]:
    """Validate an encoder and return a corrected copy with the corrections made.

    Raises:
        InvalidArgument: A class, a function, or an object that is not a scikit-learn
            transformer.
    """
    from sklearn.base import clone

    if inspect.isclass(sklearn_preprocess):
        raise InvalidArgument(
            f"sklearn_preprocess must be an instance; got the class "
            f"{sklearn_preprocess.__name__}. Pass {sklearn_preprocess.__name__}() instead."
        )
    if inspect.isfunction(sklearn_preprocess) or inspect.isbuiltin(sklearn_preprocess):
        raise InvalidArgument(
            f"sklearn_preprocess must be an instantiated class-based preprocessor; got the "
            f"function {getattr(sklearn_preprocess, '__name__', sklearn_preprocess)!r}. Pass e.g. "
            "StandardScaler() rather than scale."
        )
    module = type(sklearn_preprocess).__module__
    if not (
        module.startswith("sklearn.")
        and hasattr(sklearn_preprocess, "fit")
        and hasattr(sklearn_preprocess, "transform")
    ):
        raise InvalidArgument(
            f"sklearn_preprocess must be an instantiated scikit-learn preprocessor with fit and "
            f"transform, e.g. StandardScaler() or OneHotEncoder(); got {type(sklearn_preprocess).__name__}."
        )
    encoder = clone(sklearn_preprocess)
    corrections = []
    params = encoder.get_params(deep=False)
    name = type(encoder).__name__
    if params.get("sparse_output") is True:
        encoder.set_params(sparse_output=False)
        corrections.append(
            f"{name}: sparse_output=True changed to False (dense arrays are needed)."
        )
    if params.get("sparse") is True:
        encoder.set_params(sparse=False)
        corrections.append(f"{name}: sparse=True changed to False (dense arrays are needed).")
    if params.get("copy") is False:
        encoder.set_params(copy=True)
        corrections.append(f"{name}: copy=False changed to True (the source data stays intact).")
    return encoder, corrections


def is_categorical(encoder: Any) -> bool:
    """Whether the encoder learns categories, and is therefore fitted on every sample."""
    return type(encoder).__name__ in CATEGORICAL


def check_invertible(encoder: Any) -> None:
    """Raise unless predictions encoded this way can be decoded."""
    if not hasattr(encoder, "inverse_transform"):
        raise InvalidArgument(
            f"{type(encoder).__name__} has no inverse_transform, so predictions could not be "
            "decoded into the Label's values; choose an invertible encoder."
        )


class ColumnwiseEncoder:
    """One fitted copy of an encoder per column, for encoders that take a single column."""

    def __init__(self, encoders: list[Any]) -> None:
        self.encoders = encoders

    def transform(self, block: np.ndarray) -> np.ndarray:
        """Encode each column with its own encoder and put the results side by side."""
        parts = [
            _dense(encoder.transform(block[:, [at]])).reshape(len(block), -1)
            for at, encoder in enumerate(self.encoders)
        ]
        return np.concatenate(parts, axis=1)

    def widths(self) -> list[int]:
        """How many encoded columns each original column becomes."""
        return [len(_names(encoder, ["c"])) for encoder in self.encoders]

    def inverse_transform(self, encoded: np.ndarray) -> np.ndarray:
        """Decode each column's block with its encoder."""
        out, start = [], 0
        for encoder, width in zip(self.encoders, self.widths(), strict=True):
            out.append(
                np.asarray(encoder.inverse_transform(encoded[:, start : start + width])).reshape(
                    len(encoded), -1
                )
            )
            start += width
        return np.concatenate(out, axis=1)


def _dense(value: Any) -> np.ndarray:
    return np.asarray(value.toarray() if hasattr(value, "toarray") else value)


def _fit_at(encoder: Any, samples: np.ndarray, dimension: str) -> Any:
    from sklearn.base import clone

    block = np.asarray(samples)
    block = block.reshape(len(block), -1) if block.ndim != 2 else block
    if dimension == "2D_multiColumn":
        encoder.fit(block)
        _dense(encoder.transform(block[:2]))
        return encoder
    if dimension == "2D_singleColumn":
        fitted = []
        for at in range(block.shape[1]):
            copy = clone(encoder).fit(block[:, [at]])
            _dense(copy.transform(block[:2, [at]]))
            fitted.append(copy)
        return ColumnwiseEncoder(fitted)
    if block.shape[1] != 1:
        raise ValueError("1D encoders take a single column")
    encoder.fit(block.ravel())
    _dense(encoder.transform(block[:2].ravel()))
    return encoder


def fit_encoder(
    encoder: Any, fit_samples: np.ndarray, dimension: str | None = None
) -> tuple[Any, str]:
    """Fit ``encoder``, trying 2D multi-column, 2D single-column, then 1D input.

    Args:
        encoder: An unfitted encoder (it is fitted in place, or cloned per column).
        fit_samples: The 2D block of samples to learn from.
        dimension: Skip the trying and fit at this dimension.

    Returns:
        The fitted encoder (a ``ColumnwiseEncoder`` for single-column encoding) and the
        dimension that worked.
    """
    if dimension is not None:
        return _fit_at(encoder, fit_samples, dimension), dimension
    errors = []
    for candidate in DIMENSIONS:
        try:
            return _fit_at(encoder, fit_samples, candidate), candidate
        except (ValueError, TypeError) as exc:
            errors.append(f"{candidate}: {exc}")
    raise InvalidArgument(
        f"{type(encoder).__name__} could not encode the data as 2D (all columns), 2D (one "
        "column at a time) or 1D: " + "; ".join(errors)
    )


def transform(fitted: Any, dimension: str, samples: np.ndarray) -> np.ndarray:
    """Encode a 2D block of samples with an encoder fitted by ``fit_encoder``."""
    block = np.asarray(samples)
    if dimension == "1D":
        out = _dense(fitted.transform(block.ravel()))
    else:
        out = _dense(fitted.transform(block))
    return out.reshape(len(block), -1)


def inverse_transform(fitted: Any, dimension: str, encoded: np.ndarray) -> np.ndarray:
    """Decode encoded values (e.g. predictions) back to the original values."""
    check_invertible(fitted)
    encoded = np.asarray(encoded)
    if dimension == "1D":
        width = len(_names(fitted, ["c"]))
        source = (
            encoded.ravel() if width == 1 and type(fitted).__name__ == "LabelEncoder" else encoded
        )
        if type(fitted).__name__ == "LabelEncoder":
            source = encoded.ravel().astype(np.int64)
        out = fitted.inverse_transform(source)
    else:
        out = fitted.inverse_transform(encoded)
    return np.asarray(out).reshape(len(encoded), -1)


def _names(fitted: Any, columns: list[str]) -> list[str]:
    name = type(fitted).__name__
    if isinstance(fitted, ColumnwiseEncoder):
        return [
            n
            for encoder, column in zip(fitted.encoders, columns, strict=True)
            for n in _names(encoder, [column])
        ]
    if name == "OneHotEncoder":
        return [
            f"{column}_{category}"
            for column, categories in zip(columns, fitted.categories_, strict=True)
            for category in categories
        ]
    if name in ("LabelBinarizer", "MultiLabelBinarizer"):
        classes = list(fitted.classes_)
        if name == "LabelBinarizer" and len(classes) == 2:
            return [columns[0]]
        return [f"{columns[0]}_{value}" for value in classes]
    if hasattr(fitted, "get_feature_names_out"):
        try:
            names = [str(n) for n in fitted.get_feature_names_out(columns)]
            if len(names) == len(columns):
                return list(columns)
            return names
        except (ValueError, TypeError, AttributeError):
            pass
    return list(columns)


def encoded_column_names(fitted: Any, dimension: str, columns: list[str]) -> list[str]:
    """The names of the encoded columns: OneHotEncoder appends ``_<category>``, others keep."""
    return _names(fitted, list(columns))
