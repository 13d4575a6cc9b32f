"""Ensemble: several trained Models that predict together, with their spread as uncertainty.

``Ensemble.from_results`` keeps the best ``size`` models of a ``train_models`` run (by loss
or by a metric) and loads them. ``predict`` gives the (optionally weighted) mean of the
models' predictions and their weighted standard deviation, the uncertainty; with a
FoldYielder both are written back to every fold, as ``pred_name`` and ``pred_name + "_unc"``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument
from assay.nn.checks import check_positive
from assay.nn.folds import is_fold_yielder, predict_fold
from assay.nn.model import Model
from assay.nn.registration import Registrable

if TYPE_CHECKING:
    import torch

    from assay.nn.callbacks.base import Callback
    from assay.nn.models import ModelBuilder

#: The file ``Ensemble.save`` writes beside the models.
MANIFEST = "ensemble.json"
WEIGHTINGS = ("uniform", "metric")


class Ensemble(Registrable):
    """Models that predict as one: the weighted mean of their outputs, and the spread.

    Args:
        models: The trained Models.
        weights: One weight per model (normalised to sum to 1); equal by default.
        results: What ``train_models`` said of each model, kept for reference.
    """

    def __init__(
        self,
        models: Sequence[Model],
        weights: Sequence[float] | None = None,
        results: list[dict[str, Any]] | None = None,
    ) -> None:
        models = list(models) if isinstance(models, list | tuple) else models
        if not isinstance(models, list) or not models:
            raise InvalidArgument(f"models must be a non-empty list of Models; got {models!r}.")
        for i, model in enumerate(models):
            if not isinstance(model, Model):
                raise InvalidArgument(f"models[{i}] must be a Model; got {type(model).__name__}.")
        self.models = models
        self.weights = _normalised(weights, len(models))
        self.results = results

    def __len__(self) -> int:
        return len(self.models)

    def __getitem__(self, index: int) -> Model:
        return self.models[index]

    def __repr__(self) -> str:
        weights = ", ".join(f"{w:.3g}" for w in self.weights)
        return f"Ensemble({len(self)} models, weights=[{weights}])"

    @property
    def fold_file(self) -> str | None:
        """The fold file the models were trained on, where they agree on one."""
        files = {model.fold_file for model in self.models}
        return files.pop() if len(files) == 1 else None

    @classmethod
    def from_results(
        cls,
        results: list[dict[str, Any]] | str | Path,
        size: int,
        model_builder: ModelBuilder | None = None,
        metric: str = "loss",
        higher_metric_better: bool = False,
        weighting: str = "uniform",
        device: str | torch.device | None = None,
    ) -> Ensemble:
        """The best ``size`` models of a ``train_models`` run, loaded.

        Args:
            results: What ``train_models`` returned, or the folder (or its results.json)
                it wrote.
            size: How many models to keep.
            model_builder: Builds the networks to load the weights into; by default the
                one each model file holds.
            metric: "loss" (the validation loss) or the name of a metric in the results.
            higher_metric_better: Whether a larger value of ``metric`` is better.
            weighting: "uniform" (equal weights) or "metric" (weights proportional to
                the metric, or to its reciprocal when lower is better).
            device: Where the models run.

        Raises:
            InvalidArgument: A bad argument, or a metric the results do not hold (the
                message lists those they do).
        """
        results = _read_results(results)
        check_positive(size, "size")
        if size > len(results):
            raise InvalidArgument(f"size must be at most {len(results)} (the models); got {size}.")
        if weighting not in WEIGHTINGS:
            raise InvalidArgument(f"weighting must be one of {WEIGHTINGS}; got {weighting!r}.")
        scores = [_score(result, metric) for result in results]
        order = sorted(
            range(len(results)),
            key=lambda i: _sort_key(scores[i], higher_metric_better),
        )[:size]
        chosen = [results[i] for i in order]
        weights = None
        if weighting == "metric":
            values = [scores[i] for i in order]
            if not all(math.isfinite(v) and v > 0 for v in values):
                raise InvalidArgument(
                    f"weighting='metric' needs positive, finite values of {metric!r}; got "
                    f"{values}. Use weighting='uniform'."
                )
            weights = values if higher_metric_better else [1 / v for v in values]
        models = [
            Model.from_save(result["path"], model_builder=model_builder, device=device)
            for result in chosen
        ]
        return cls(models, weights=weights, results=chosen)

    def predict(
        self,
        inputs: Any,
        pred_name: str = "pred",
        n_models: int | None = None,
        pred_cb: Callback | None = None,
        cbs: list[Callback] | None = None,
        bs: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The ensemble's prediction and its uncertainty, for arrays or every fold of a file.

        The prediction is the weighted mean of the models' outputs; the uncertainty their
        weighted standard deviation around it (0 for one model).

        Args:
            inputs: A FoldYielder, or an array (tensor, tuple) of rows.
            pred_name: With a FoldYielder, each fold gets ``pred_name`` (the mean) and
                ``pred_name + "_unc"`` (the uncertainty).
            n_models: Use only the first ``n_models`` models (the best, from_results).
            pred_cb: The prediction callback each model predicts with (PredHandler).
            cbs: Other callbacks of each model's prediction.
            bs: Rows per batch.

        Returns:
            ``(mean, uncertainty)`` for arrays; None for a FoldYielder. With an augmenting
            FoldYielder, each model's prediction is its mean over the fixed transforms.
        """
        models, weights = self._chosen(n_models)
        if not is_fold_yielder(inputs):
            return _combine(
                [m.predict(inputs, pred_cb=pred_cb, cbs=cbs, bs=bs) for m in models], weights
            )
        if not isinstance(pred_name, str) or not pred_name:
            raise InvalidArgument(f"pred_name must be a non-empty str; got {pred_name!r}.")
        for fold_idx in range(inputs.n_folds):
            preds = [
                predict_fold(inputs, fold_idx, partial(m.predict, pred_cb=pred_cb, cbs=cbs, bs=bs))
                for m in models
            ]
            mean, spread = _combine(preds, weights)
            inputs.save_fold_pred(mean, fold_idx, pred_name=pred_name)
            inputs.save_fold_pred(spread, fold_idx, pred_name=f"{pred_name}_unc")
        return None

    def _chosen(self, n_models: int | None) -> tuple[list[Model], np.ndarray]:
        """The first ``n_models`` models and their weights, normalised again."""
        if n_models is None:
            return self.models, self.weights
        check_positive(n_models, "n_models")
        if n_models > len(self):
            raise InvalidArgument(f"n_models must be at most {len(self)}; got {n_models}.")
        return self.models[:n_models], _normalised(self.weights[:n_models], n_models)

    def save(self, path: str | Path) -> Path:
        """Write the ensemble to folder ``path``: one file per model and ``ensemble.json``."""
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise InvalidArgument(f"path must be a folder for the ensemble; {folder} is a file.")
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for i, model in enumerate(self.models):
            names.append(f"model_{i}.pt")
            model.save(folder / names[-1])
        manifest = {"models": names, "weights": self.weights.tolist(), "results": self.results}
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
        return folder

    @classmethod
    def load(
        cls,
        path: str | Path,
        model_builder: ModelBuilder | None = None,
        device: str | torch.device | None = None,
    ) -> Ensemble:
        """An ensemble from the folder ``save`` wrote.

        The ModelBuilders come from the model files, unless given; unpickling them runs the
        code they name: load only folders you trust.
        """
        folder = Path(path)
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise InvalidArgument(f"path must be a folder Ensemble.save wrote; no {manifest_path}.")
        manifest = json.loads(manifest_path.read_text())
        models = [
            Model.from_save(folder / name, model_builder=model_builder, device=device)
            for name in manifest["models"]
        ]
        return cls(models, weights=manifest["weights"], results=manifest.get("results"))

    def default_performance(self) -> dict[str, Any] | None:
        """What a registered version stores by default: the models' validation losses."""
        if not self.results:
            return None
        return {
            "val_loss": [result["loss"] for result in self.results],
            "metrics": [result.get("metrics", {}) for result in self.results],
        }


def _normalised(weights: Any, count: int) -> np.ndarray:
    """Weights as a float array summing to 1 (equal when None)."""
    if weights is None:
        return np.full(count, 1 / count)
    values = np.asarray(weights, dtype=np.float64).reshape(-1)
    if len(values) != count or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InvalidArgument(
            f"weights must be {count} non-negative finite numbers; got {list(weights)!r}."
        )
    if values.sum() <= 0:
        raise InvalidArgument(f"weights must not all be 0; got {list(weights)!r}.")
    return values / values.sum()


def _combine(preds: list[np.ndarray], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The weighted mean of the models' predictions and their weighted standard deviation."""
    stacked = np.stack([np.asarray(p, dtype=np.float64) for p in preds])
    shape = (len(weights),) + (1,) * (stacked.ndim - 1)
    w = weights.reshape(shape)
    mean = (w * stacked).sum(0)
    spread = np.sqrt((w * (stacked - mean) ** 2).sum(0))
    return mean.astype(np.float32), spread.astype(np.float32)


def _read_results(results: Any) -> list[dict[str, Any]]:
    """``train_models``' results as given, or read from its folder or results.json."""
    if isinstance(results, str | Path):
        path = Path(results)
        if path.is_dir():
            from assay.nn.training import RESULTS_FILE

            path = path / RESULTS_FILE
        if not path.is_file():
            raise InvalidArgument(f"results: no train_models results at {path}.")
        results = json.loads(path.read_text())
    if not isinstance(results, list) or not results:
        raise InvalidArgument(
            "results must be the non-empty list train_models returned, or its folder; "
            f"got {results!r}."
        )
    for i, result in enumerate(results):
        if not isinstance(result, dict) or "path" not in result or "loss" not in result:
            raise InvalidArgument(
                f"results[{i}] must be a dict train_models returned (with path and loss)."
            )
    return results


def _score(result: dict[str, Any], metric: str) -> float:
    """The value of ``metric`` ("loss" or a metric's name) in one model's result."""
    if metric == "loss":
        return float(result["loss"])
    metrics = result.get("metrics") or {}
    if metric not in metrics:
        known = ", ".join(["loss", *sorted(metrics)])
        raise InvalidArgument(f"metric must be one the results hold ({known}); got {metric!r}.")
    return float(metrics[metric])


def _sort_key(value: float, higher_better: bool) -> tuple[bool, float]:
    """Best first; NaN last."""
    if math.isnan(value):
        return (True, 0.0)
    return (False, -value if higher_better else value)
