"""Predict every split of a trained model, decode what it predicted, and score it.

Shared by training runs (every split or fold of the Job) and inference Splitsets. The
metrics are ``assay.evaluate.metrics``'; the model's ``FittedSteps`` give the classes and the
fitted coders that decode predictions into the Label's own values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument
from assay.evaluate.decode import decode_classes, decode_values, to_ordinal, true_classes

if TYPE_CHECKING:
    from assay.store.samples import SplitArrays
    from assay.train.model import TrainedModel

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


def evaluate_splits(trained: TrainedModel, data: dict[str, SplitArrays]) -> Evaluation:
    """Predict each split in one call, decode the predictions, and compute the metrics.

    Args:
        trained: The model, with how these splits were preprocessed: the classes in ordinal
            order and the fitted coders that decode predictions.
        data: The arrays of each split.
    """
    from assay.evaluate.metrics import aggregate_metrics, split_metrics

    preprocessing, analysis_type = trained.preprocessing, trained.analysis_type
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
        predicted, probabilities = trained.predict(features)
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
        loss = trained.loss(features, label)
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


def check_no_nan(split: str, predicted: np.ndarray, probabilities: np.ndarray | None) -> None:
    """Raise when a model predicted NaN: a NaN must never become a class or a score.

    Args:
        split: The split predicted, named in the error.
        predicted: The model's raw predictions, one row per sample; only float and complex
            arrays are checked.
        probabilities: The class probabilities, one row per sample, or None.

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
