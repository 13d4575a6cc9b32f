"""scikit-learn style coders for the values a CSV column holds but a scaler cannot read.

Text and sequences become rows of token indices, time series rows of numbers, image paths
rows of pixels. Each is a transformer assay fits on the training samples only (its
``FeatureCoder`` does), so a vocabulary or a series' scale never learns from the test split.
Index 0 is padding and 1 a token not seen in training; known tokens start at 2.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from assay.errors import InvalidArgument

PAD, UNKNOWN = 0, 1
#: How each tokenizer cuts a value into tokens.
TOKENIZERS = {
    "words": re.compile(r"\w+|[^\w\s]"),
    "space": re.compile(r"\S+"),
    "characters": re.compile(r"\S"),
}


def tokenize(value: Any, tokenizer: str, lowercase: bool) -> list[str]:
    """A cell's tokens; a missing value (None, NaN) has none."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    text = str(value).lower() if lowercase else str(value)
    return TOKENIZERS[tokenizer].findall(text)


def _column(X: Any) -> list[Any]:
    """The one column of a 2D block (or a 1D array) as a list of cells."""
    array = np.asarray(X, dtype=object)
    if array.ndim == 2:
        if array.shape[1] != 1:
            raise InvalidArgument(f"a coder of one column got {array.shape[1]} columns.")
        array = array[:, 0]
    return list(array)


class TokenCoder(TransformerMixin, BaseEstimator):
    """Text or sequence cells as fixed-length rows of token indices.

    Args:
        tokenizer: ``"words"`` (words and punctuation), ``"space"`` (split on whitespace) or
            ``"characters"``.
        lowercase: Lowercase before tokenizing.
        max_length: Tokens kept per cell (the rest are cut, shorter rows padded with 0).
        most_common: The size of the vocabulary: the most frequent training tokens.
    """

    def __init__(
        self,
        tokenizer: str = "words",
        lowercase: bool = True,
        max_length: int = 32,
        most_common: int = 10000,
    ) -> None:
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.max_length = max_length
        self.most_common = most_common

    def fit(self, X: Any, y: Any = None) -> TokenCoder:
        """Learn the vocabulary of the training cells, most frequent first."""
        if self.tokenizer not in TOKENIZERS:
            raise InvalidArgument(
                f"tokenizer must be one of {sorted(TOKENIZERS)}; got {self.tokenizer!r}."
            )
        counts = Counter(
            token for cell in _column(X) for token in tokenize(cell, self.tokenizer, self.lowercase)
        )
        ranked = sorted(counts, key=lambda token: (-counts[token], token))[: self.most_common]
        self.vocabulary_ = {token: at + 2 for at, token in enumerate(ranked)}
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Each cell as ``max_length`` indices: known tokens, 1 for unknown, 0 for padding."""
        cells = _column(X)
        out = np.full((len(cells), self.max_length), PAD, dtype=np.int64)
        for row, cell in enumerate(cells):
            tokens = tokenize(cell, self.tokenizer, self.lowercase)[: self.max_length]
            out[row, : len(tokens)] = [self.vocabulary_.get(t, UNKNOWN) for t in tokens]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """One name per position: ``<column>_<i>``."""
        column = "tokens" if input_features is None else str(next(iter(input_features)))
        return np.asarray([f"{column}_{at}" for at in range(self.max_length)], dtype=object)


class SeriesCoder(TransformerMixin, BaseEstimator):
    """Time series cells (numbers separated by spaces or commas) as fixed-length rows.

    Args:
        max_length: Values kept per cell (the first ones); shorter series are padded.
        normalization: ``"zscore"`` scales by the training values' mean and standard
            deviation; None keeps them as they are.
        padding_value: The value of the padding, after scaling.
    """

    def __init__(
        self, max_length: int = 32, normalization: str | None = "zscore", padding_value: float = 0.0
    ) -> None:
        self.max_length = max_length
        self.normalization = normalization
        self.padding_value = padding_value

    def fit(self, X: Any, y: Any = None) -> SeriesCoder:
        """Learn the mean and standard deviation of every training value."""
        values = np.concatenate([parse_series(cell) for cell in _column(X)] + [np.zeros(0)])
        scale = self.normalization == "zscore" and len(values) > 0
        self.mean_ = float(values.mean()) if scale else 0.0
        std = float(values.std()) if scale else 1.0
        self.std_ = std if std > 0 else 1.0
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Each cell's first ``max_length`` values, scaled, then padded."""
        cells = _column(X)
        out = np.full((len(cells), self.max_length), self.padding_value, dtype=np.float32)
        for row, cell in enumerate(cells):
            values = parse_series(cell)[: self.max_length]
            out[row, : len(values)] = (values - self.mean_) / self.std_
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """One name per step: ``<column>_<t>``."""
        column = "series" if input_features is None else str(next(iter(input_features)))
        return np.asarray([f"{column}_{at}" for at in range(self.max_length)], dtype=object)


def parse_series(cell: Any) -> np.ndarray:
    """``"1.5 2 3"`` or ``"1.5,2,3"`` as floats; a missing cell is an empty series.

    Raises:
        InvalidArgument: A value that is not a number (quoted, so the user can find it).
    """
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return np.zeros(0)
    if isinstance(cell, (int, float, np.number)):
        return np.asarray([float(cell)])
    parts = [part for part in re.split(r"[\s,;]+", str(cell).strip()) if part]
    try:
        return np.asarray([float(part) for part in parts], dtype=np.float64)
    except ValueError as exc:
        raise InvalidArgument(
            f"a timeseries cell must hold numbers separated by spaces or commas; got {cell!r}."
        ) from exc


class ImageCoder(TransformerMixin, BaseEstimator):
    """Image paths as rows of pixels in [0, 1], channels first, then flattened.

    Args:
        root: The folder relative paths are read from (the CSV's folder) when they are not
            found from the working folder.
        height: Rows every image is resized to.
        width: Columns every image is resized to.
        channels: 1 (grayscale) or 3 (RGB).
    """

    def __init__(self, root: str = ".", height: int = 28, width: int = 28, channels: int = 1):
        self.root = root
        self.height = height
        self.width = width
        self.channels = channels

    def fit(self, X: Any, y: Any = None) -> ImageCoder:
        """Nothing to learn: check that the first image can be read."""
        cells = _column(X)
        if cells:
            self._pixels(cells[0])
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Each image read, converted, resized and flattened: ``channels*height*width`` values."""
        cells = _column(X)
        out = np.zeros((len(cells), self.channels * self.height * self.width), dtype=np.float32)
        for row, cell in enumerate(cells):
            out[row] = self._pixels(cell).ravel()
        return out

    def _pixels(self, cell: Any) -> np.ndarray:
        from PIL import Image

        path = resolve_image(cell, self.root)
        with Image.open(path) as image:
            mode = "L" if self.channels == 1 else "RGB"
            resized = image.convert(mode).resize((self.width, self.height))
            pixels = np.asarray(resized, dtype=np.float32) / 255.0
        pixels = pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
        return pixels


def resolve_image(cell: Any, root: str) -> Path:
    """An image's path: as given (absolute, or from the working folder), else under ``root``.

    Raises:
        InvalidArgument: The file is in neither place.
    """
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        raise InvalidArgument("an image cell is empty; every sample needs an image path.")
    given = Path(str(cell))
    for path in (given, Path(root) / given):
        if path.is_file():
            return path
    raise InvalidArgument(f"image {str(cell)!r} not found (looked in . and {root}).")
