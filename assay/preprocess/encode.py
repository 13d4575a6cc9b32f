"""Encoding with class-based scikit-learn preprocessors, without leakage (section 5).

Only an instance of a scikit-learn transformer is accepted (``StandardScaler()``, not the
class, not the function ``scale``). Settings that would break later steps (sparse output,
``copy=False``) are corrected on a copy and reported. How an encoder takes its input (all
columns at once, one column at a time, or a 1D array) is found by trying, and recorded, so
that every split is encoded the same way.

Encoders learn from the training samples only; categorical ones (``is_categorical``) learn
the categories of every sample, which leaks nothing a model could use and keeps a category
seen only in the test split from failing.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from typing import Any

import numpy as np
from sklearn import preprocessing
from sklearn.base import TransformerMixin, clone
from sklearn.exceptions import DataConversionWarning

from assay.errors import InvalidArgument

DIMENSIONS = ("2D_multiColumn", "2D_singleColumn", "1D")
CATEGORICAL: tuple[type, ...] = (
    preprocessing.OneHotEncoder,
    preprocessing.OrdinalEncoder,
    preprocessing.LabelBinarizer,
    preprocessing.LabelEncoder,
    preprocessing.MultiLabelBinarizer,
)
# The class to pass instead of each of scikit-learn's preprocessing functions.
FUNCTION_TO_CLASS = {
    "scale": "StandardScaler()",
    "minmax_scale": "MinMaxScaler()",
    "maxabs_scale": "MaxAbsScaler()",
    "robust_scale": "RobustScaler()",
    "normalize": "Normalizer()",
    "binarize": "Binarizer()",
    "label_binarize": "LabelBinarizer()",
    "quantile_transform": "QuantileTransformer()",
    "power_transform": "PowerTransformer()",
}
# Errors that mean "this encoder does not take data this way".
_FIT_ERRORS = (ValueError, TypeError, AttributeError, IndexError, KeyError)


def check_encoder(sklearn_preprocess: Any) -> tuple[Any, list[str]]:
    """Validate an encoder and return a corrected, unfitted copy with the corrections made.

    Args:
        sklearn_preprocess: An instance of a class-based scikit-learn preprocessor, e.g.
            ``StandardScaler()`` or ``OneHotEncoder()`` (or any ``TransformerMixin`` with
            fit and transform).

    Returns:
        ``(encoder, corrections)``: a copy (``sklearn.base.clone``) with dense output and
        ``copy=True``, and one message per setting changed.

    Raises:
        InvalidArgument: A class, a function, or an object that is not a transformer.
    """
    given = sklearn_preprocess
    if inspect.isclass(given):
        name = given.__name__
        raise InvalidArgument(
            f"sklearn_preprocess must be an instance; got the class {name}. Pass an instance, "
            f"e.g. {name}() instead of {name}."
        )
    if inspect.isroutine(given):
        name = getattr(given, "__name__", repr(given))
        instead = FUNCTION_TO_CLASS.get(name, "its class-based counterpart, e.g. StandardScaler()")
        raise InvalidArgument(
            f"sklearn_preprocess must be an instantiated class-based preprocessor; got the "
            f"function {name!r}, which cannot be fitted on the training samples and reused. "
            f"Pass {instead} instead."
        )
    module = type(given).__module__
    is_transformer = isinstance(given, TransformerMixin) or module.startswith("sklearn.")
    if not (is_transformer and hasattr(given, "fit") and hasattr(given, "transform")):
        raise InvalidArgument(
            f"sklearn_preprocess must be an instantiated scikit-learn preprocessor with fit and "
            f"transform, e.g. StandardScaler() or OneHotEncoder(); got {type(given).__name__} "
            f"from {module}."
        )
    encoder = fresh(given)
    corrections: list[str] = []
    params = encoder.get_params(deep=False) if hasattr(encoder, "get_params") else {}
    name = type(encoder).__name__
    if params.get("sparse_output") is True:
        encoder.set_params(sparse_output=False)
        corrections.append(
            f"{name}: sparse_output=True changed to False (tensors need dense arrays)."
        )
    if params.get("sparse") is True:
        encoder.set_params(sparse=False)
        corrections.append(f"{name}: sparse=True changed to False (tensors need dense arrays).")
    if params.get("encode") == "onehot":
        encoder.set_params(encode="onehot-dense")
        corrections.append(
            f"{name}: encode='onehot' changed to 'onehot-dense' (tensors need dense arrays)."
        )
    if params.get("keep_empty_features") is False:
        encoder.set_params(keep_empty_features=True)
        corrections.append(
            f"{name}: keep_empty_features=False changed to True (a column with no value in the "
            "training samples is kept, filled, rather than dropped, so every split keeps its "
            "columns)."
        )
    if params.get("copy") is False:
        encoder.set_params(copy=True)
        corrections.append(
            f"{name}: copy=False changed to True (so the source data is never changed)."
        )
    return encoder, corrections


def is_categorical(encoder: Any) -> bool:
    """Whether the encoder learns categories, and is therefore fitted on every sample."""
    if isinstance(encoder, ColumnwiseEncoder):
        return all(is_categorical(one) for one in encoder.encoders)
    return isinstance(encoder, CATEGORICAL)


def fresh(encoder: Any) -> Any:
    """An unfitted copy with the same settings (a deep copy where ``clone`` cannot)."""
    try:
        return clone(encoder)
    except (TypeError, RuntimeError):
        return copy.deepcopy(encoder)


def _dense(value: Any) -> np.ndarray:
    return np.asarray(value.toarray() if hasattr(value, "toarray") else value)


class ColumnwiseEncoder:
    """One fitted copy of an encoder per column, for encoders that take one column at a time.

    It behaves like a fitted encoder of the whole block: ``transform`` puts the encoded
    columns side by side, ``inverse_transform`` splits them back by each copy's width.
    """

    def __init__(self, encoders: list[Any]) -> None:
        self.encoders = encoders

    def widths(self) -> list[int]:
        """How many encoded columns each original column becomes."""
        return [
            len(_names_of(encoder, "2D_multiColumn", [f"c{at}"]))
            for at, encoder in enumerate(self.encoders)
        ]

    def transform(self, block: np.ndarray) -> np.ndarray:
        """Encode each column with its own encoder and put the results side by side."""
        block = _as_2d(block)
        self._check_width(block)
        parts = [
            _dense(encoder.transform(block[:, [at]])).reshape(len(block), -1)
            for at, encoder in enumerate(self.encoders)
        ]
        return np.concatenate(parts, axis=1)

    def inverse_transform(self, encoded: np.ndarray) -> np.ndarray:
        """Decode each column's block with its encoder."""
        encoded = _as_2d(encoded)
        out, start = [], 0
        for encoder, width in zip(self.encoders, self.widths(), strict=True):
            check_invertible(encoder)
            part = encoder.inverse_transform(encoded[:, start : start + width])
            out.append(np.asarray(part).reshape(len(encoded), -1))
            start += width
        return np.concatenate(out, axis=1)

    def get_feature_names_out(self, input_features: list[str] | None = None) -> np.ndarray:
        """The encoded column names, each column's through its own encoder."""
        if input_features is None:
            input_features = [f"x{at}" for at in range(len(self.encoders))]
        names = [
            name
            for encoder, column in zip(self.encoders, input_features, strict=True)
            for name in _names_of(encoder, "2D_multiColumn", [str(column)])
        ]
        return np.asarray(names, dtype=object)

    def _check_width(self, block: np.ndarray) -> None:
        if block.shape[1] != len(self.encoders):
            raise InvalidArgument(
                f"samples have {block.shape[1]} columns; the encoders were fitted on "
                f"{len(self.encoders)}."
            )


def _as_2d(samples: Any) -> np.ndarray:
    block = np.asarray(samples.to_numpy() if hasattr(samples, "to_numpy") else samples)
    if block.ndim == 1:
        return block.reshape(-1, 1)
    if block.ndim != 2:
        return block.reshape(-1, block.shape[-1])
    return block


def _fit_at(encoder: Any, block: np.ndarray, dimension: str) -> Any:
    if dimension == "2D_multiColumn":
        encoder.fit(block)
        _dense(encoder.transform(block[:2]))
        return encoder
    if dimension == "2D_singleColumn":
        fitted = []
        for at in range(block.shape[1]):
            one = fresh(encoder).fit(block[:, [at]])
            _dense(one.transform(block[:2, [at]]))
            fitted.append(one)
        return ColumnwiseEncoder(fitted)
    if dimension == "1D":
        if block.shape[1] != 1:
            raise ValueError(f"a 1D encoder takes a single column; got {block.shape[1]}")
        encoder.fit(block.ravel())
        _dense(encoder.transform(block[:2].ravel()))
        return encoder
    raise InvalidArgument(f"dimension must be one of {DIMENSIONS}; got {dimension!r}.")


def fit_encoder(
    encoder: Any, fit_samples: np.ndarray, dimension: str | None = None
) -> tuple[Any, str]:
    """Fit ``encoder``, trying 2D multi-column, then 2D single-column, then 1D input.

    Args:
        encoder: An unfitted encoder (fitted in place for 2D multi-column and 1D; cloned
            per column for 2D single-column).
        fit_samples: The 2D block (samples x columns) to learn from; N-D samples are seen
            as rows of their last axis.
        dimension: Skip the trying and fit at this dimension (one found earlier).

    Returns:
        ``(fitted, dimension)``: the fitted encoder (a ``ColumnwiseEncoder`` for
        ``'2D_singleColumn'``) and the dimension that worked.

    Raises:
        InvalidArgument: No dimension worked; the message holds each attempt's error.
    """
    block = _as_2d(fit_samples)
    if len(block) == 0:
        raise InvalidArgument("fit_samples is empty; an encoder needs samples to learn from.")
    if dimension is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _fit_at(encoder, block, dimension), dimension
    errors = []
    for candidate in DIMENSIONS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # "a column-vector y was passed when a 1d array was expected": try 1D
                warnings.simplefilter("error", DataConversionWarning)
                return _fit_at(fresh(encoder), block, candidate), candidate
        except (*_FIT_ERRORS, DataConversionWarning) as exc:
            errors.append(f"{candidate}: {type(exc).__name__}: {exc}")
    raise InvalidArgument(
        f"{type(encoder).__name__} could not encode the data (shape {block.shape}, dtype "
        f"{block.dtype}) as 2D all columns at once, 2D one column at a time, or 1D. "
        + " | ".join(errors)
    )


def transform(fitted: Any, dimension: str, samples: np.ndarray) -> np.ndarray:
    """Encode a 2D block of samples with an encoder fitted by ``fit_encoder``.

    Args:
        fitted: The fitted encoder ``fit_encoder`` returned.
        dimension: The dimension it returned with it, ``'2D_multiColumn'``,
            ``'2D_singleColumn'`` or ``'1D'`` (which passes the column flattened).
        samples: The block to encode, the columns it was fitted on in the same order; a
            1D array is one column, N-D is rows of its last axis.

    Returns:
        A dense 2D array (samples x encoded columns).
    """
    block = _as_2d(samples)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fitted.transform(block.ravel() if dimension == "1D" else block)
    return _dense(out).reshape(len(block), -1)


def check_invertible(encoder: Any) -> None:
    """Raise unless values encoded this way can be decoded (e.g. predictions of a Label).

    Raises:
        InvalidArgument: The encoder (or one of a ``ColumnwiseEncoder``'s) has no
            ``inverse_transform``.
    """
    if isinstance(encoder, ColumnwiseEncoder):
        for one in encoder.encoders:
            check_invertible(one)
        return
    if not callable(getattr(encoder, "inverse_transform", None)):
        raise InvalidArgument(
            f"{type(encoder).__name__} has no inverse_transform, so predictions could not be "
            "decoded back into the Label's values; choose an invertible encoder (e.g. "
            "StandardScaler(), MinMaxScaler(), OneHotEncoder(), OrdinalEncoder())."
        )


def inverse_transform(fitted: Any, dimension: str, encoded: np.ndarray) -> np.ndarray:
    """Decode encoded values (e.g. predictions) back to the original values.

    Args:
        fitted: The fitted encoder ``fit_encoder`` returned; it needs ``inverse_transform``.
        dimension: The dimension ``fit_encoder`` returned with it.
        encoded: Encoded values, one row per sample (a 1D array is one column);
            ``LabelEncoder`` values are rounded to the nearest class index first.

    Returns:
        A 2D array (samples x original columns).

    Raises:
        InvalidArgument: The encoder cannot decode.
    """
    check_invertible(fitted)
    encoded = _as_2d(encoded)
    if isinstance(fitted, preprocessing.LabelEncoder):
        source = np.rint(encoded.ravel()).astype(np.int64)
    elif dimension == "1D" and encoded.shape[1] == 1 and not _takes_2d(fitted):
        source = encoded.ravel()
    else:
        source = encoded
    out = fitted.inverse_transform(source)
    return np.asarray(out).reshape(len(encoded), -1)


def _takes_2d(fitted: Any) -> bool:
    """Binarizers decode a 2D indicator block even when they encode a 1D column."""
    return isinstance(fitted, (preprocessing.LabelBinarizer, preprocessing.MultiLabelBinarizer))


def _names_of(fitted: Any, dimension: str, columns: list[str]) -> list[str]:
    if isinstance(fitted, ColumnwiseEncoder):
        return [str(name) for name in fitted.get_feature_names_out(columns)]
    if isinstance(fitted, preprocessing.LabelBinarizer):
        classes = list(fitted.classes_)
        if len(classes) <= 2:
            return [columns[0]]
        return [f"{columns[0]}_{value}" for value in classes]
    if isinstance(fitted, preprocessing.MultiLabelBinarizer):
        return [f"{columns[0]}_{value}" for value in fitted.classes_]
    if dimension != "1D" and hasattr(fitted, "get_feature_names_out"):
        try:
            return [str(name) for name in fitted.get_feature_names_out(columns)]
        except _FIT_ERRORS:
            pass
    return list(columns)


def encoded_column_names(fitted: Any, dimension: str, columns: list[str]) -> list[str]:
    """The names of the encoded columns, as the encoder names them.

    OneHotEncoder appends ``_<category>`` to each column; LabelBinarizer does too for more
    than two classes (two classes stay one column); scalers keep the names.

    Args:
        fitted: An encoder fitted by ``fit_encoder``.
        dimension: Its encoding dimension.
        columns: The names of the columns it encodes.

    Returns:
        One name per encoded column.
    """
    return _names_of(fitted, dimension, [str(column) for column in columns])


def encode_columns(samples: Any, coders: list[tuple[Any, str, list[int]]]) -> np.ndarray:
    """Encode column blocks with several fitted coders and put the results side by side.

    Layout: each coder's encoded block in coder order, then the columns no coder claims,
    unchanged, in their original order (``chained_column_names`` names them the same way).

    Args:
        samples: A frame or an array whose last axis holds the columns; N-D samples are
            encoded along their last axis and keep their other axes.
        coders: ``(fitted, dimension, column_indices)`` per coder.

    Returns:
        The encoded array: the leading axes of ``samples`` and the encoded columns.

    Raises:
        InvalidArgument: Column indices out of range or claimed by two coders.
    """
    from assay.preprocess.filters import check_no_overlap

    array = np.asarray(samples.to_numpy() if hasattr(samples, "to_numpy") else samples)
    if array.ndim < 2:
        raise InvalidArgument(
            f"samples must be at least 2D (samples x columns); got {array.ndim}D."
        )
    width = array.shape[-1]
    check_no_overlap([[int(at) for at in indices] for _, _, indices in coders])
    for _, _, indices in coders:
        bad = [int(at) for at in indices if not 0 <= int(at) < width]
        if bad:
            raise InvalidArgument(f"column indices {bad} are out of range for {width} columns.")
    lead = array.shape[:-1]
    flat = array.reshape(-1, width)
    parts = [
        transform(fitted, dimension, flat[:, list(indices)])
        for fitted, dimension, indices in coders
    ]
    claimed = {int(at) for _, _, indices in coders for at in indices}
    rest = [at for at in range(width) if at not in claimed]
    if rest:
        parts.append(flat[:, rest])
    if not parts:
        return array
    if len(parts) > 1 and len({part.dtype.kind for part in parts}) > 1:
        parts = [as_numbers_if_possible(part) for part in parts]
    out = np.concatenate(parts, axis=1)
    return out.reshape(*lead, out.shape[-1])


def as_numbers_if_possible(part: np.ndarray) -> np.ndarray:
    """The values as floats when every one is a number, else as objects.

    Encoded text beside a table's untouched numeric columns comes as an object array.
    """
    try:
        return part.astype(np.float64)
    except (ValueError, TypeError):
        return part.astype(object)


def chained_column_names(
    columns: list[str], coders_columns: list[list[str]], coders_names: list[list[str]]
) -> list[str]:
    """The column names after ``encode_columns``: each coder's names, then the unclaimed.

    Args:
        columns: The columns before encoding.
        coders_columns: The columns each coder encodes.
        coders_names: The encoded names of each coder (``encoded_column_names``).

    Returns:
        The names in the order ``encode_columns`` lays the columns out.
    """
    claimed = {str(column) for block in coders_columns for column in block}
    names = [str(name) for block in coders_names for name in block]
    return names + [str(column) for column in columns if str(column) not in claimed]
