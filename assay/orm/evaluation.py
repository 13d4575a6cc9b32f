"""Predict every split of a trained model, decode what it predicted, and score it.

Shared by training runs (every split or fold of the Job) and inference Splitsets. The
metrics themselves are pure functions in ``assay.evaluate``; the splits' ``FittedSteps`` give
the fitted coders that decode predictions into the Label's own values, and the classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument
from assay.train.handoff import unwrap

if TYPE_CHECKING:
    from assay.preprocess.fitted import FittedSteps

CLASSIFICATION = ("classification_binary", "classification_multi")


@dataclass
class Evaluation:
    """Everything a Prediction row stores about some splits."""

    predictions: dict[str, np.ndarray] = field(default_factory=dict)
    probabilities: dict[str, np.ndarray] | None = None
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    metrics_aggregate: dict[str, dict[str, float]] | None = None
    plot_data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    class_names: list[Any] | None = None


def to_ordinal(label: np.ndarray) -> np.ndarray:
    """Class indices of a label array: argmax of one-hot columns, or the values themselves."""
    label = np.asarray(label)
    if label.ndim == 2 and label.shape[1] > 1:
        return label.argmax(axis=1)
    return label.reshape(len(label)).astype(np.int64)


def decode_classes(ordinal: np.ndarray, names: list[Any] | None) -> np.ndarray:
    """Class indices back to the Label's values (encoders and estimators sort classes)."""
    ordinal = np.asarray(ordinal).reshape(len(ordinal)).astype(np.int64)
    if not names:
        return ordinal
    return np.asarray(names, dtype=object)[ordinal]


def true_classes(label: np.ndarray, names: list[Any] | None, coded: bool) -> np.ndarray:
    """Class indices of the true labels: one-hot argmax, encoded values, or raw values' ranks."""
    label = np.asarray(label)
    if coded or not names or (label.ndim == 2 and label.shape[1] > 1):
        return to_ordinal(label)
    position = {name: at for at, name in enumerate(names)}
    values = label.reshape(len(label)).tolist()
    return np.asarray([position.get(value, -1) for value in values], dtype=np.int64)


def check_no_nan(split: str, predicted: np.ndarray, probabilities: np.ndarray | None) -> None:
    """Raise when a model predicted NaN: a NaN must never become a class or a score.

    Raises:
        InvalidArgument: Naming the split, how many rows and the way out (an imputer).
    """
    for what, values in (("predictions", predicted), ("probabilities", probabilities)):
        values = None if values is None else np.asarray(values)
        if values is None or values.dtype.kind not in "fc" or values.ndim == 0:
            continue
        rows = np.isnan(values.reshape(len(values), -1)).any(axis=1)
        if rows.any():
            raise InvalidArgument(
                f"{split}: the model's {what} are NaN for {int(rows.sum())} of {len(rows)} "
                f"row(s) (rows {np.flatnonzero(rows)[:5].tolist()}), which can be neither "
                "decoded nor scored. Its inputs most likely had missing values: fill them with "
                "an imputer fitted on the training samples, e.g. "
                "Input(..., imputers=Input.Imputer(SimpleImputer(strategy='median'))) or "
                "FeatureCoder.from_feature(feature_id, SimpleImputer()), or drop those rows."
            )


def decode_values(values: np.ndarray, coder: tuple[Any, str] | None) -> np.ndarray:
    """Regression outputs back to the Label's own scale through its fitted coder."""
    from assay.preprocess import encode

    values = np.asarray(values, dtype=np.float64)
    if coder is not None:
        fitted, dimension = coder
        values = encode.inverse_transform(fitted, dimension, values.reshape(len(values), -1))
        values = np.asarray(values, dtype=np.float64)
    flat = values.reshape(len(values), -1)
    return flat[:, 0] if values.ndim <= 2 and flat.shape[1] == 1 else values


def evaluate_splits(
    adapter: Any,
    functions: dict[str, Any],
    model: Any,
    hp: dict[str, Any],
    analysis_type: str,
    preprocessing: FittedSteps,
    data: dict[str, tuple[list[np.ndarray], np.ndarray | None]],
) -> Evaluation:
    """Predict each split in one call, decode the predictions, and compute the metrics.

    Args:
        adapter: The model library's adapter.
        functions: The Algorithm's functions (``fn_predict``, ``fn_lose``).
        model: The trained model.
        hp: The hyperparameters it was trained with.
        analysis_type: The Algorithm's analysis type.
        preprocessing: How these splits were preprocessed: the classes in ordinal order and
            the fitted coders that decode predictions into the Label's own values.
        data: ``(features, label)`` of each split.
    """
    from assay.evaluate.metrics import aggregate_metrics, split_metrics

    names = preprocessing.class_names
    coder = preprocessing.label_decoder()
    decode_windows = (
        preprocessing.window_decoder()
        if not preprocessing.has_label and not analysis_type.startswith("classification")
        else None
    )
    classification = analysis_type in CLASSIFICATION
    out = Evaluation(class_names=names, probabilities={} if classification else None)
    for split, (features, label) in data.items():
        predicted, probabilities = adapter.predict(
            functions.get("fn_predict"), model, unwrap(features)
        )
        check_no_nan(split, predicted, probabilities)
        if classification:
            ordinal = to_ordinal(predicted)
            out.predictions[split] = decode_classes(ordinal, names)
            if probabilities is not None:
                out.probabilities[split] = np.asarray(probabilities)
        else:
            supervised = preprocessing.has_label or coder is not None
            if supervised:
                out.predictions[split] = decode_values(predicted, coder)
            elif decode_windows is not None:
                out.predictions[split] = decode_windows(predicted)
            else:
                out.predictions[split] = np.asarray(predicted)
        if label is None:
            continue
        loss = float(
            adapter.loss(
                functions.get("fn_lose"), model, unwrap(features), label, analysis_type, hp
            )
        )
        if classification:
            truth = true_classes(label, names, coded=coder is not None)
            metrics, notes = split_metrics(
                analysis_type,
                truth,
                ordinal,
                probabilities,
                labels=list(range(len(names))) if names else None,
                loss=loss,
            )
            out.plot_data[split] = {"y_true": truth, "y_pred": ordinal}
        elif not preprocessing.has_label:  # windowed targets, decoded like the predictions
            truth = np.asarray(label, dtype=np.float64)
            if decode_windows is not None:
                truth = decode_windows(truth)
            metrics, notes = split_metrics(analysis_type, truth, out.predictions[split], loss=loss)
            out.plot_data[split] = {"y_true": truth, "y_pred": out.predictions[split]}
        else:
            truth = decode_values(label, coder)
            metrics, notes = split_metrics(analysis_type, truth, out.predictions[split], loss=loss)
            out.plot_data[split] = {"y_true": truth, "y_pred": out.predictions[split]}
        out.metrics[split] = metrics
        out.notes.extend(f"{split}: {note}" for note in notes)
    if out.metrics:
        out.metrics_aggregate = aggregate_metrics(out.metrics)
    return out


def importance_of(
    adapter: Any,
    functions: dict[str, Any],
    model: Any,
    hp: dict[str, Any],
    analysis_type: str,
    preprocessing: FittedSteps,
    train: tuple[list[np.ndarray], np.ndarray | None],
    permute_count: int,
) -> dict[str, Any] | None:
    """Permutation importance of each column on the training samples, by Feature id.

    Image Features are skipped (a pixel column means little). Returns None when every
    Feature is skipped or there is no label to compute a loss against.
    """
    from assay.evaluate.importance import permutation_importance

    features, label = train
    if label is None:
        return None
    skip = set(preprocessing.image_features)
    if len(skip) == len(features):
        return None

    def loss_of(shuffled: list[np.ndarray]) -> float:
        return float(
            adapter.loss(
                functions.get("fn_lose"), model, unwrap(shuffled), label, analysis_type, hp
            )
        )

    raw = permutation_importance(
        features,
        loss_of,
        permute_count=permute_count,
        column_names=preprocessing.feature_names,
        skip=skip,
    )
    ids = preprocessing.feature_ids
    return {
        str(ids[at]): {
            column: {
                "median": float(result["impact"]),
                "loss_impacts": [float(v) for v in result["losses"]],
            }
            for column, result in columns.items()
        }
        for at, columns in raw.items()
    }
