"""Predict every split of a trained model, decode what it predicted, and score it.

Shared by training runs (every split or fold of the Job) and inference Splitsets. The
metrics themselves are pure functions in ``assay.evaluate``; this module fetches the fitted
label coder to decode predictions into the Label's own values, and names classes and columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assay.errors import InvalidArgument
from assay.train.handoff import unwrap

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


def class_names(splitset: Any) -> list[Any] | None:
    """The classes in ordinal order (what index i of a prediction means), or None."""
    label = splitset.label
    if label is None or label.is_continuous():
        return None
    if label.column_count > 1:
        return list(label.columns)
    return list(label.unique_classes)


def feature_names(splitset: Any) -> list[list[str]]:
    """Each Feature's column names after encoding (the last axis of its arrays)."""
    return [feature.encoded_column_names() for feature in splitset.features]


def fitted_label_coder(splitset: Any, fold_id: int | None) -> tuple[Any, str] | None:
    """The Label's fitted coder and its encoding dimension for these samples, if any."""
    label = splitset.label
    if splitset.predictor_id is not None:
        label = splitset.predictor.fit_splitset().label
    if label is None or label.labelcoder is None:
        return None
    if splitset.predictor_id is not None:
        _, fitted = splitset.fitted_for_inference()
    elif fold_id is not None:
        from assay.orm.splitset import Fold

        fitted = Fold.get_by_id(fold_id).fitted_labelcoder
    else:
        fitted = splitset.fitted_labelcoder
    if not fitted:
        return None
    return fitted[0], label.labelcoder.encoding_dimension


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


def windowed_decoder(splitset: Any, fold_id: int | None) -> Any:
    """A function that decodes windowed targets through their Feature's fitted coders, or None.

    Windowed (self-supervised) targets are the encoded columns of the Feature with the
    Window; decoding them gives predictions and metrics in the series' own units.
    """
    from assay.preprocess.pipeline import decode_block

    features = splitset.features
    if splitset.predictor_id is not None:
        features = splitset.predictor.fit_splitset().features
        fitted_all, _ = splitset.fitted_for_inference()
    elif fold_id is not None:
        from assay.orm.splitset import Fold

        fitted_all = Fold.get_by_id(fold_id).fitted_featurecoders
    else:
        fitted_all = splitset.fitted_featurecoders
    for at, feature in enumerate(features):
        window = feature.window
        if window is None or window.samples_shifted is None:
            continue
        steps = feature.steps()
        if not steps.coders or not fitted_all:
            return None
        fitted = fitted_all[at]
        return lambda values: decode_block(values, steps, fitted)
    return None


def evaluate_splits(
    adapter: Any,
    functions: dict[str, Any],
    model: Any,
    hp: dict[str, Any],
    analysis_type: str,
    splitset: Any,
    data: dict[str, tuple[list[np.ndarray], np.ndarray | None]],
    fold_id: int | None,
    names: list[Any] | None = None,
) -> Evaluation:
    """Predict each split in one call, decode the predictions, and compute the metrics.

    ``names`` are the classes in ordinal order (the trained Label's, for inference); None
    takes them from the Splitset's Label.
    """
    from assay.evaluate.metrics import aggregate_metrics, split_metrics

    names = class_names(splitset) if names is None else names
    coder = fitted_label_coder(splitset, fold_id)
    decode_windows = (
        windowed_decoder(splitset, fold_id)
        if splitset.label is None and not analysis_type.startswith("classification")
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
            supervised = splitset.label is not None or coder is not None
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
        elif splitset.label is None:  # windowed targets, decoded like the predictions
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
    splitset: Any,
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
    skip = {at for at, feature in enumerate(splitset.features) if feature.dataset.typ == "image"}
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
        column_names=feature_names(splitset),
        skip=skip,
    )
    ids = [feature.id for feature in splitset.features]
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
