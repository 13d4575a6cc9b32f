"""train_models: many models trained over one fold file as easily as one.

Each model gets a fresh network from the ModelBuilder, its own validation fold (model ``i``
validates on fold ``i`` modulo the number of folds, unless told otherwise) and fresh
callbacks from the partials. ``SaveBest`` keeps each model at its best validation loss, in
``savepath/model_<i>.pt``; the function returns what happened (paths, losses, metrics,
histories), not the models, and writes the same to ``savepath/results.json``, which
``Ensemble.from_results`` reads.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument
from assay.nn.callbacks.base import Callback
from assay.nn.callbacks.early_stopping import EarlyStopping, SaveBest
from assay.nn.callbacks.metrics import EvalMetric
from assay.nn.checks import (
    check_fold_index,
    check_fold_yielder,
    check_model_builder,
    check_positive,
)

if TYPE_CHECKING:
    import torch

    from assay.nn.data import FoldYielder
    from assay.nn.models import ModelBuilder

RESULTS_FILE = "results.json"


def train_models(
    fy: FoldYielder,
    n_models: int,
    bs: int,
    model_builder: ModelBuilder,
    n_epochs: int,
    cb_partials: Sequence[Callable[[], Callback]] | None = None,
    metric_partials: Sequence[Callable[[], EvalMetric]] | None = None,
    savepath: str | Path = "train_weights",
    train_on_weights: bool = True,
    patience: int | None = None,
    val_idxs: Sequence[int] | None = None,
    progress: bool = True,
    device: str | torch.device | None = None,
) -> list[dict[str, Any]]:
    """Train ``n_models`` models, each validated on a different fold; returns their results.

    Args:
        fy: The FoldYielder of the fold file (at least two folds).
        n_models: How many models to train.
        bs: Rows per batch.
        model_builder: Builds each model's network, optimiser and loss.
        n_epochs: The most epochs each model trains for.
        cb_partials: Callables (classes, ``functools.partial``) that each make a Callback;
            each model gets fresh ones.
        metric_partials: Callables that each make an EvalMetric (e.g. ``RocAucScore``),
            computed on the validation fold every epoch and reported at the best epoch.
        savepath: The folder the models (``model_<i>.pt``) and ``results.json`` go to.
        train_on_weights: Weight the losses by the fold file's weights, where it has them.
        patience: Stop a model early after this many epochs without a better validation
            loss; None trains every epoch.
        val_idxs: The validation fold of each model; by default model ``i`` validates on
            fold ``i % fy.n_folds``.
        progress: Show a tqdm progress bar over the models.
        device: Where the models train (CUDA where available by default).

    Returns:
        One dict per model: ``model_id``, ``path``, ``val_idx``, ``loss`` (its best
        validation loss), ``best_epoch``, ``epochs`` (trained), ``metrics`` (at the best
        epoch), ``history`` (per epoch) and ``seconds``.

    Raises:
        InvalidArgument: A bad argument; nothing is trained or written.
    """
    from tqdm.auto import tqdm

    from assay.nn.model import Model

    check_positive(n_models, "n_models")
    check_positive(bs, "bs")
    check_positive(n_epochs, "n_epochs")
    check_fold_yielder(fy, "fy")
    if patience is not None:
        check_positive(patience, "patience")
    if fy.n_folds < 2:
        raise InvalidArgument(
            f"fy must have at least 2 folds (one to validate on, the rest to train on); "
            f"{getattr(fy, 'path', 'the file')} has {fy.n_folds}."
        )
    check_model_builder(model_builder)
    folds = _validation_folds(val_idxs, n_models, fy.n_folds)
    cb_partials = _partials(cb_partials, "cb_partials", Callback)
    metric_partials = _partials(metric_partials, "metric_partials", EvalMetric)
    _callbacks(cb_partials, metric_partials)  # refuse a bad partial before anything is written
    savepath = Path(savepath)
    savepath.mkdir(parents=True, exist_ok=True)

    results: list[dict[str, Any]] = []
    bar = tqdm(range(n_models), desc="train_models", unit="model", disable=not progress)
    for model_id in bar:
        started = time.perf_counter()
        path = savepath / f"model_{model_id}.pt"
        save_best = SaveBest(path)
        metrics, others = _callbacks(cb_partials, metric_partials)
        cbs: list[Callback] = [*metrics, *others, save_best]
        if patience is not None:
            cbs.append(EarlyStopping(patience))
        model = Model(model_builder, device=device)
        history = model.fit(
            n_epochs,
            fy,
            bs,
            cbs=cbs,
            val_idx=folds[model_id],
            train_on_weights=train_on_weights,
        )
        if save_best.best_epoch is None:  # no finite validation loss: keep the last state
            model.save(path)
        best = save_best.best_epoch if save_best.best_epoch is not None else -1
        results.append(
            {
                "model_id": model_id,
                "path": str(path),
                "val_idx": folds[model_id],
                "loss": history["val_loss"][best],
                "best_epoch": save_best.best_epoch,
                "epochs": len(history["val_loss"]),
                "metrics": {metric.name: history[metric.name][best] for metric in metrics},
                "history": history,
                "seconds": time.perf_counter() - started,
            }
        )
        bar.set_postfix(loss=f"{results[-1]['loss']:.4g}")
    (savepath / RESULTS_FILE).write_text(json.dumps(results, indent=1, allow_nan=True))
    return results


def _validation_folds(val_idxs: Any, n_models: int, n_folds: int) -> list[int]:
    """The validation fold of each model."""
    if val_idxs is None:
        return [i % n_folds for i in range(n_models)]
    if not isinstance(val_idxs, list | tuple | range) or len(val_idxs) != n_models:
        raise InvalidArgument(
            f"val_idxs must be a list of one fold index per model ({n_models}); got {val_idxs!r}."
        )
    return [check_fold_index(i, n_folds, "val_idxs") for i in val_idxs]


def _partials(partials: Any, name: str, kind: type) -> list[Callable[[], Any]]:
    """A list of callables (None is none)."""
    if partials is None:
        return []
    if not isinstance(partials, list | tuple) or not all(callable(p) for p in partials):
        raise InvalidArgument(
            f"{name} must be a list of callables that each make a {kind.__name__} "
            f"(a class, or functools.partial of one); got {partials!r}."
        )
    return list(partials)


def _callbacks(
    cb_partials: list[Callable[[], Any]], metric_partials: list[Callable[[], Any]]
) -> tuple[list[EvalMetric], list[Callback]]:
    """Fresh metric callbacks and other callbacks for one model, each of the right kind."""
    made = []
    for partials, kind, name in (
        (metric_partials, EvalMetric, "metric_partials"),
        (cb_partials, Callback, "cb_partials"),
    ):
        callbacks = [partial() for partial in partials]
        for i, callback in enumerate(callbacks):
            if not isinstance(callback, kind):
                raise InvalidArgument(
                    f"{name}[{i}] must make a {kind.__name__}; it made {callback!r}."
                )
        made.append(callbacks)
    metrics, others = made
    names = [metric.name for metric in metrics]
    if len(set(names)) != len(names):
        raise InvalidArgument(f"metric_partials must make metrics of distinct names; got {names}.")
    return metrics, others
