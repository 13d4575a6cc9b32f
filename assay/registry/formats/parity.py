"""Checking an exported model against the model it was made from, on real samples.

An exporter (ONNX, PMML) rewrites a model in another language; a converter that drops an
option or rounds a threshold would hand a deployment a different model without a word.
So every export runs the file on the Splitset's test rows (preprocessed, as the model saw
them) and compares its outputs with the model's own; the export is refused, naming the
largest difference, when they differ by more than ``TOLERANCE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from assay.orm.predictor import Predictor

#: The largest difference allowed: absolute up to 1, relative to the model's value above.
TOLERANCE = 1e-4
#: The ONNX output (zipmap off) that an estimator's class probabilities are in.
PROBABILITIES = "probabilities"
#: The splits whose rows are compared, the first a Splitset has.
PARITY_SPLITS = ("test", "validation", "fold_validation", "train", "folds_train_combined")


@dataclass(frozen=True)
class ParityRows:
    """A Predictor's model and the preprocessed rows an export is checked on.

    Attributes:
        library: The model library's adapter name.
        analysis_type: What the model predicts.
        model: The trained model, loaded.
        features: One preprocessed array per Feature.
        split: Which split the rows are of.
        feature_names: Each Feature's column names after encoding.
        label_columns: The Label's columns, or None without a Label.
    """

    library: str
    analysis_type: str
    model: Any
    features: list[np.ndarray]
    split: str
    feature_names: list[list[str]]
    label_columns: list[str] | None

    def single_table(self, format_id: str) -> np.ndarray:
        """The rows as one 2-D table, as estimators take them.

        Raises:
            InvalidArgument: Several Features, or samples of more than one dimension.
        """
        if len(self.features) != 1 or np.ndim(self.features[0]) != 2:
            shapes = [np.shape(array) for array in self.features]
            raise InvalidArgument(
                f"format {format_id!r}: a {self.library} model is exported for one Feature of "
                f"2-D samples (rows x columns); this one takes arrays of shapes {shapes}."
            )
        return np.asarray(self.features[0])


def parity_rows(predictor: Predictor) -> ParityRows:
    """The Predictor's model and its Splitset's test rows (else the first split it has)."""
    from assay.orm.loading import load_predictor
    from assay.store.samples import read_split, resolve_preprocessing, split_names

    predictor, rows = load_predictor(predictor.id)
    names = split_names(rows.splitset, rows.fold)
    split = next(name for name in (*PARITY_SPLITS, *names) if name in names)
    features, _ = read_split(rows.splitset, split, rows.fold)
    label = rows.splitset.label
    return ParityRows(
        library=predictor.library,
        analysis_type=rows.algorithm.analysis_type,
        model=predictor.get_model(),
        features=list(features),
        split=split,
        feature_names=resolve_preprocessing(rows.splitset, rows.fold).feature_names,
        label_columns=None if label is None else list(label.columns),
    )


def estimator_outputs(model: Any, table: np.ndarray) -> tuple[np.ndarray, str]:
    """An estimator's outputs an export must reproduce, and the ONNX output that holds them.

    Class probabilities where the estimator gives them (``PROBABILITIES``), else its
    labels; a regressor's values (``variable``).
    """
    from sklearn.base import is_classifier

    if is_classifier(model) and hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(table)), PROBABILITIES
    output = "label" if is_classifier(model) else "variable"
    return np.asarray(model.predict(table)), output


def largest_difference(expected: Any, actual: Any) -> float:
    """The largest difference between two outputs, element by element.

    Absolute where the model's value is at most 1 in size (probabilities, scaled values),
    relative above, so that float32 rounding of a large regression value is not a
    difference. NaN where the other is not counts as infinite.

    Raises:
        InvalidArgument: Outputs of different sizes.
    """
    expected = np.asarray(expected, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    if expected.size != actual.size:
        raise InvalidArgument(
            f"the exported model gives {actual.size} values ({actual.shape}) where the model "
            f"gives {expected.size} ({expected.shape})."
        )
    expected, actual = expected.reshape(-1), actual.reshape(-1)
    if expected.size == 0:
        return 0.0
    gaps = np.isnan(expected) != np.isnan(actual)
    difference = np.abs(expected - actual) / np.maximum(1.0, np.abs(expected))
    difference = np.where(np.isnan(expected) & np.isnan(actual), 0.0, difference)
    return float("inf") if gaps.any() else float(np.max(difference))


def check_parity(format_id: str, rows: ParityRows, expected: Any, actual: Any) -> float:
    """Refuse an export whose outputs differ from the model's by more than ``TOLERANCE``.

    Args:
        format_id: The format exported, for the message.
        rows: What was compared: the library and the split.
        expected: The model's own outputs on ``rows``.
        actual: The exported file's outputs on the same rows.

    Returns:
        The largest difference (within the tolerance).

    Raises:
        InvalidArgument: Naming the largest difference, the tolerance and the rows.
    """
    count = len(rows.features[0]) if rows.features else 0
    try:
        difference = largest_difference(expected, actual)
    except InvalidArgument as exc:
        raise InvalidArgument(
            f"format {format_id!r}: the export is refused: on {count} rows of the "
            f"{rows.split!r} split, {exc}"
        ) from None
    if not difference <= TOLERANCE:
        raise InvalidArgument(
            f"format {format_id!r}: the export is refused: on {count} rows of the "
            f"{rows.split!r} split its outputs differ from the {rows.library} model's by up to "
            f"{difference:.3g} (the tolerance is {TOLERANCE:g}; relative above 1)."
        )
    return difference
