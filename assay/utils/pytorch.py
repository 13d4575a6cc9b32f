"""PyTorch helpers of the spec: ``fit``, a training loop without the boilerplate.

``fit`` shuffles the samples, batches them, shuffles the batches, trains, and records a
Keras-style history of the loss and of any torchmetrics metrics on the training and the
evaluation samples, epoch by epoch; each epoch is also reported live to the run that trains
(``assay.train.live``). The tensor helpers here are shared with the PyTorch adapter.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from assay.errors import InvalidArgument
from assay.train.live import report_epoch

REGRESSION_METRICS = {
    "MeanSquaredError",
    "MeanAbsoluteError",
    "R2Score",
    "ExplainedVariance",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogError",
    "PearsonCorrCoef",
    "SpearmanCorrCoef",
}


def to_tensor(value: Any) -> Any:
    """A float32 tensor of an array or tensor."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.float()
    return torch.as_tensor(np.asarray(value), dtype=torch.float32)


def to_tensors(features: Any) -> list[Any]:
    """Features as a list of float32 tensors: one per input (a single array gives one)."""
    if isinstance(features, (list, tuple)):
        return [to_tensor(f) for f in features]
    return [to_tensor(features)]


def forward(model: Any, features: list[Any]) -> Any:
    """``model(x)`` for one input, ``model(x1, x2, ...)`` for several."""
    return model(*features) if len(features) > 1 else model(features[0])


def target_for(loser: Any, output: Any, label: Any) -> Any:
    """The label as a loss expects it: class indices for CrossEntropy/NLL, else floats.

    Args:
        loser: The loss module; only its class name is looked at.
        output: The model's output tensor, whose shape a label of as many values takes.
        label: A float tensor: one value per sample, or one-hot columns (kept as floats,
            which CrossEntropyLoss reads as class probabilities).
    """
    import torch

    name = type(loser).__name__
    if name in ("CrossEntropyLoss", "NLLLoss") and (label.ndim == 1 or label.shape[-1] == 1):
        return label.reshape(-1).long()
    if label.shape != output.shape and label.numel() == output.numel():
        return label.reshape(output.shape)
    return label.to(torch.float32)


def metric_name(metric: Any) -> str:
    """A torchmetrics metric's history key: its class name in snake case.

    ``Accuracy(task='binary')`` (a ``BinaryAccuracy``) gives ``'accuracy'``, ``F1Score``
    gives ``'f1_score'``, ``MeanSquaredError`` gives ``'mean_squared_error'``.
    """
    name = type(metric).__name__
    for prefix in ("Multiclass", "Binary", "Multilabel"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.lower()


def _metric_input(metric: Any, output: Any, target: Any) -> tuple[Any, Any]:
    """Outputs and targets as torchmetrics wants them (class indices, not one-hot)."""
    regression = type(metric).__name__ in REGRESSION_METRICS
    if not regression and target.ndim == 2 and target.shape[1] > 1:
        target = target.argmax(dim=1)
    elif target.ndim == 2 and target.shape[1] == 1:
        target = target.reshape(-1)
    if output.ndim == 2 and output.shape[1] == 1:
        output = output.reshape(-1)
    if not regression and target.is_floating_point():
        target = target.round().long()
    return output, target


def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument(f"fit: {name} must be an int >= 1; got {value!r}.")
    return value


def fit(
    model: Any,
    loser: Any,
    optimizer: Any,
    train_features: Any,
    train_label: Any,
    eval_features: Any,
    eval_label: Any,
    epochs: int = 30,
    batch_size: int = 5,
    enforce_sameSize: bool = True,
    allow_singleSample: bool = False,
    metrics: list[Any] | None = None,
) -> tuple[Any, dict[str, np.ndarray]]:
    """Train a PyTorch model and return ``(model, history)``.

    Each epoch the samples are shuffled, cut into batches of ``batch_size``, and the batches
    are shuffled; then the loss and metrics of both sets are computed in eval mode. The
    shuffles follow ``torch.manual_seed``.

    Args:
        model: From ``fn_build``.
        loser: From ``fn_lose``, e.g. ``torch.nn.CrossEntropyLoss()``; labels are given to
            CrossEntropyLoss/NLLLoss as class indices when they are ordinal.
        optimizer: From ``fn_optimize``.
        train_features: The training samples (an array or tensor; a list for multi-input).
        train_label: Their labels.
        eval_features: The evaluation samples, scored after every epoch.
        eval_label: Their labels.
        epochs: Passes over the training samples.
        batch_size: Samples per batch.
        enforce_sameSize: If True, drop batches whose length is not ``batch_size``.
        allow_singleSample: If False, drop batches of one sample (they break batch norm).
        metrics: Instantiated torchmetrics metrics, e.g. ``Accuracy(task='binary')``; each is
            recorded under ``metric_name(metric)`` and ``'val_' + metric_name(metric)``.

    Returns:
        The trained model and ``{'loss', 'val_loss', <metric>, 'val_<metric>'}``, each an
        ndarray with one value per epoch.

    Raises:
        InvalidArgument: Bad epochs or batch_size, or no batch left to train on.
    """
    import torch

    _check_count(epochs, "epochs")
    _check_count(batch_size, "batch_size")
    metrics = list(metrics or [])
    train_x, eval_x = to_tensors(train_features), to_tensors(eval_features)
    train_y, eval_y = to_tensor(train_label), to_tensor(eval_label)
    count = len(train_y)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    for metric in metrics:
        history[metric_name(metric)] = []
        history["val_" + metric_name(metric)] = []
    generator = torch.Generator().manual_seed(int(torch.initial_seed() % 2**63))
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(count, generator=generator)
        batches = [
            batch
            for batch in torch.split(order, batch_size)
            if not (enforce_sameSize and len(batch) != batch_size)
            and (allow_singleSample or len(batch) != 1)
        ]
        if not batches:
            raise InvalidArgument(
                f"fit: no batch to train on: {count} training samples, batch_size={batch_size}, "
                f"enforce_sameSize={enforce_sameSize}, allow_singleSample={allow_singleSample}."
            )
        for at in torch.randperm(len(batches), generator=generator).tolist():
            batch = batches[at]
            optimizer.zero_grad()
            output = forward(model, [x[batch] for x in train_x])
            loss = loser(output, target_for(loser, output, train_y[batch]))
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for prefix, xs, y in (("", train_x, train_y), ("val_", eval_x, eval_y)):
                output = forward(model, xs)
                history[prefix + "loss"].append(float(loser(output, target_for(loser, output, y))))
                for metric in metrics:
                    metric.reset()
                    value = metric(*_metric_input(metric, output, y))
                    history[prefix + metric_name(metric)].append(float(value))
                    metric.reset()
        report_epoch(epoch, {key: values[-1] for key, values in history.items()})
    return model, {key: np.asarray(values) for key, values in history.items()}
