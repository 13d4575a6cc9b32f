"""The Algorithm's functions for a configuration, and the training loop they run.

``algorithm_functions`` returns ``fn_build``, ``fn_train``, ``fn_lose`` and ``fn_optimize``
as closures over the resolved configuration and the features' metadata. assay stores them
with the Algorithm (by value), so a worker process, a later session or ``assay predict``
needs nothing but the metastore. Each applies the run's hyperparameters (hyperopt's dotted
names) to the configuration first. ``fn_build.config`` and ``fn_build.metas`` keep what
they were made from, for ``configuration_of``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from assay.train.live import report_epoch

OPTIMIZERS = {
    "adam": "Adam",
    "adamw": "AdamW",
    "adamax": "Adamax",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
}


def algorithm_functions(
    config: dict[str, Any], metas: dict[str, dict[str, Any]]
) -> dict[str, Callable[..., Any]]:
    """``fn_build``, ``fn_train``, ``fn_lose`` and ``fn_optimize`` for a configuration.

    Args:
        config: The resolved configuration.
        metas: Each feature's metadata by name.
    """
    from assay.declarative.overrides import apply_overrides

    def fn_build(features_shape: Any, label_shape: Any, **hp: Any) -> Any:
        import torch

        from assay.declarative.model import build_model

        settings = apply_overrides(config, hp)
        if settings["trainer"]["seed"] is not None:
            torch.manual_seed(settings["trainer"]["seed"])
        return build_model(settings, metas, features_shape, label_shape)

    def fn_optimize(model: Any, **hp: Any) -> Any:
        import torch

        trainer = apply_overrides(config, hp)["trainer"]
        optimizer = getattr(torch.optim, OPTIMIZERS[trainer["optimizer"]])
        return optimizer(model.parameters(), lr=trainer["learning_rate"])

    def fn_lose(**hp: Any) -> Any:
        from assay.declarative.features import feature_type_registry

        output = apply_overrides(config, hp)["output_features"][0]
        return feature_type_registry[output["type"]](**output["preprocessing"]).loss(output["loss"])

    def fn_train(
        model: Any,
        loser: Any,
        optimizer: Any,
        train_features: Any,
        train_label: Any,
        eval_features: Any,
        eval_label: Any,
        **hp: Any,
    ) -> Any:
        trainer = apply_overrides(config, hp)["trainer"]
        return train_loop(
            model,
            loser,
            optimizer,
            (train_features, train_label),
            (eval_features, eval_label),
            trainer,
        )

    fn_build.config = copy.deepcopy(config)  # type: ignore[attr-defined]
    fn_build.metas = copy.deepcopy(metas)  # type: ignore[attr-defined]
    return {
        "fn_build": fn_build,
        "fn_train": fn_train,
        "fn_lose": fn_lose,
        "fn_optimize": fn_optimize,
    }


def accuracy(output: Any, label: Any) -> float:
    """The share of samples whose class is right: argmax of several outputs, else p > 0.5."""
    if output.ndim == 2 and output.shape[1] > 1:
        predicted = output.argmax(dim=1)
        truth = (
            label.reshape(-1).long() if label.ndim == 1 or label.shape[-1] == 1 else label.argmax(1)
        )
    else:
        predicted = (output.reshape(-1) > 0.5).long()
        truth = label.reshape(-1).round().long()
    return float((predicted == truth).float().mean())


def train_loop(
    model: Any,
    loser: Any,
    optimizer: Any,
    train: tuple[Any, Any],
    evaluation: tuple[Any, Any],
    trainer: dict[str, Any],
) -> tuple[Any, dict[str, np.ndarray]]:
    """Train in shuffled mini-batches, score both sets each epoch, stop early if asked.

    Each epoch's loss (and accuracy, for classification) on the training and evaluation
    samples is reported live to the run (``report_epoch``). With ``early_stopping`` the
    weights of the epoch with the lowest evaluation loss are the ones returned.

    Args:
        model: From ``fn_build``.
        loser: From ``fn_lose``.
        optimizer: From ``fn_optimize``.
        train: The training features (a list, one per input) and label.
        evaluation: The evaluation features and label (the validation split, or test).
        trainer: The resolved ``trainer`` section.

    Returns:
        The model and its history: ``loss``, ``val_loss`` (and ``accuracy``,
        ``val_accuracy``), one value per epoch trained.
    """
    import torch

    from assay.utils.pytorch import forward, target_for, to_tensor, to_tensors

    train_x, eval_x = to_tensors(train[0]), to_tensors(evaluation[0])
    train_y, eval_y = to_tensor(train[1]), to_tensor(evaluation[1])
    seed = trainer["seed"] if trainer["seed"] is not None else int(torch.seed() % 2**31)
    generator = torch.Generator().manual_seed(seed)
    classify = not isinstance(loser, (torch.nn.MSELoss, torch.nn.L1Loss, torch.nn.HuberLoss))
    history: dict[str, list[float]] = {}
    best_loss, best_state, waited = float("inf"), None, 0
    for epoch in range(trainer["epochs"]):
        model.train()
        order = torch.randperm(len(train_y), generator=generator)
        for batch in torch.split(order, trainer["batch_size"]):
            optimizer.zero_grad()
            output = forward(model, [x[batch] for x in train_x])
            loser(output, target_for(loser, output, train_y[batch])).backward()
            optimizer.step()
        model.eval()
        scores = {}
        with torch.no_grad():
            for prefix, xs, y in (("", train_x, train_y), ("val_", eval_x, eval_y)):
                output = forward(model, xs)
                scores[prefix + "loss"] = float(loser(output, target_for(loser, output, y)))
                if classify:
                    scores[prefix + "accuracy"] = accuracy(output, y)
        for key, value in scores.items():
            history.setdefault(key, []).append(value)
        report_epoch(epoch, scores)
        if trainer["early_stopping"] is None:
            continue
        if scores["val_loss"] < best_loss:
            best_loss, waited = scores["val_loss"], 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
            if waited >= trainer["early_stopping"]:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return model, {key: np.asarray(values) for key, values in history.items()}
