"""PyTorch helpers of the spec: ``fit`` and the default loss, optimizer and prediction.

``fit`` removes the boilerplate of a training loop: it shuffles the samples, batches them,
shuffles the batches, trains, and records a Keras-style history of the loss and of any
torchmetrics metrics on the training and evaluation samples, epoch by epoch.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from assay.train.live import report_epoch


def _tensor(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.float()
    return torch.as_tensor(np.asarray(value), dtype=torch.float32)


def _tensors(features: Any) -> list[Any]:
    return (
        [_tensor(f) for f in features]
        if isinstance(features, (list, tuple))
        else [_tensor(features)]
    )


def _forward(model: Any, features: list[Any]) -> Any:
    return model(*features) if len(features) > 1 else model(features[0])


def target_for(loser: Any, output: Any, label: Any) -> Any:
    """The label in the form a loss expects: class indices for CrossEntropy/NLL, else floats."""
    import torch

    name = type(loser).__name__
    if name in ("CrossEntropyLoss", "NLLLoss") and (label.ndim == 1 or label.shape[-1] == 1):
        return label.reshape(-1).long()
    if label.shape != output.shape and label.numel() == output.numel():
        return label.reshape(output.shape)
    return label.to(torch.float32)


def metric_name(metric: Any) -> str:
    """A torchmetrics metric's history key: its class name in snake case ('accuracy')."""
    name = type(metric).__name__
    for prefix in ("Multiclass", "Binary", "Multilabel"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _metric_input(metric: Any, output: Any, target: Any) -> tuple[Any, Any]:
    """Predictions and targets as torchmetrics wants them (class indices, not one-hot)."""
    if target.ndim == 2 and target.shape[1] > 1:
        target = target.argmax(dim=1)
    elif target.ndim == 2:
        target = target.reshape(-1)
    if output.ndim == 2 and output.shape[1] == 1:
        output = output.reshape(-1)
    task = getattr(metric, "task", None)
    if task != "regression" and target.is_floating_point() and not _is_regression(metric):
        target = target.round().long()
    return output, target


def _is_regression(metric: Any) -> bool:
    return type(metric).__name__ in {
        "MeanSquaredError",
        "MeanAbsoluteError",
        "R2Score",
        "ExplainedVariance",
        "MeanAbsolutePercentageError",
    }


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

    Args:
        model: From ``fn_build``.
        loser: From ``fn_lose``, e.g. ``torch.nn.CrossEntropyLoss()``.
        optimizer: From ``fn_optimize``.
        train_features: The training samples (a list for multi-input models).
        train_label: Their labels.
        eval_features: The evaluation samples, scored after every epoch.
        eval_label: Their labels.
        epochs: Passes over the training samples.
        batch_size: Samples per batch.
        enforce_sameSize: Drop batches smaller than ``batch_size``.
        allow_singleSample: Keep batches of a single sample (they break batch norm).
        metrics: Instantiated torchmetrics metrics, e.g. ``Accuracy(task='binary')``.

    Returns:
        The trained model and ``{'loss', 'val_loss', '<metric>', 'val_<metric>'}``, one value
        per epoch.
    """
    import torch

    metrics = list(metrics or [])
    train_x, eval_x = _tensors(train_features), _tensors(eval_features)
    train_y, eval_y = _tensor(train_label), _tensor(eval_label)
    count = len(train_y)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    for metric in metrics:
        history[metric_name(metric)] = []
        history["val_" + metric_name(metric)] = []
    generator = torch.Generator().manual_seed(int(torch.initial_seed() % 2**31))
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(count, generator=generator)
        batches = list(torch.split(order, batch_size))
        batches = [
            batch for batch in batches if not (enforce_sameSize and len(batch) != batch_size)
        ]
        batches = [batch for batch in batches if allow_singleSample or len(batch) != 1]
        shuffled = torch.randperm(len(batches), generator=generator).tolist()
        for at in shuffled:
            batch = batches[at]
            optimizer.zero_grad()
            output = _forward(model, [x[batch] for x in train_x])
            loss = loser(output, target_for(loser, output, train_y[batch]))
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for prefix, xs, y in (("", train_x, train_y), ("val_", eval_x, eval_y)):
                output = _forward(model, xs)
                history[prefix + "loss"].append(float(loser(output, target_for(loser, output, y))))
                for metric in metrics:
                    metric.reset()
                    value = metric(*_metric_input(metric, output, y))
                    history[prefix + metric_name(metric)].append(float(value))
        report_epoch(epoch, {key: values[-1] for key, values in history.items()})
    return model, {key: np.asarray(values) for key, values in history.items()}
