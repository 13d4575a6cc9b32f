"""An example plug-in: one entry for each registry of assay, declared as entry points.

- ``numpy-ridge`` (``assay.libraries``): a model library of its own, a one-vs-rest ridge
  classifier solved with NumPy, whose model is a dict of arrays.
- ``reversed_grid`` (``assay.samplers``): the grid, last point first.
- ``newest_first`` (``assay.executors``): the serial executor, but training the Queue's
  runs last-created first, in this process.
- ``npz`` (``assay.formats``): a ``numpy-ridge`` model's weights as a NumPy ``.npz`` file,
  exported only when its outputs match the model's (assay's parity check).
- ``jsonl`` (``assay.integrations``): every hook call as one JSON line in a file.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from assay.errors import InvalidArgument
from assay.integrations import Integration
from assay.registry.formats import ModelFormat
from assay.search import GridSampler, SerialExecutor
from assay.train.adapters import Adapter
from assay.train.adapters.examples import Example

# -- a model library -----------------------------------------------------------------------


def ridge_build(features_shape: Any, label_shape: Any, **hp: Any) -> dict[str, Any]:
    """An untrained model: its regularisation strength."""
    return {"alpha": float(hp.get("alpha", 1.0))}


def ridge_train(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp) -> dict:
    """Solve ``(X'X + alpha I) W = X'Y`` for one-hot Y, with an intercept."""
    x = np.column_stack([np.asarray(train_x, dtype=np.float64), np.ones(len(train_x))])
    y = np.asarray(train_y, dtype=np.float64)
    penalty = model["alpha"] * np.eye(x.shape[1])
    penalty[-1, -1] = 0.0  # the intercept is not shrunk
    return {**model, "weights": np.linalg.solve(x.T @ x + penalty, x.T @ y)}


def ridge_scores(model: dict[str, Any], features: Any) -> np.ndarray:
    """Class scores, softmaxed into probabilities."""
    if isinstance(features, (list, tuple)):
        (features,) = features
    x = np.column_stack([np.asarray(features, dtype=np.float64), np.ones(len(features))])
    scores = x @ model["weights"]
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def ridge_predict(model: dict[str, Any], features: Any) -> tuple[np.ndarray, np.ndarray]:
    """The most likely class and the probabilities."""
    probabilities = ridge_scores(model, features)
    return probabilities.argmax(axis=1), probabilities


class RidgeAdapter(Adapter):
    """``numpy-ridge``: a ridge classifier on one-hot labels, in NumPy alone."""

    name = "numpy-ridge"

    def example(self) -> Example:
        """Its own functions: what assay's conformance suite trains."""
        return Example(ridge_build, ridge_train, one_hot_label=True)

    def default_fn_predict(self, analysis_type: str):
        """Argmax and softmax of the class scores; classification only."""
        if not analysis_type.startswith("classification"):
            raise InvalidArgument(f"numpy-ridge classifies; got analysis_type {analysis_type!r}.")
        return ridge_predict

    def loss(self, fn_lose, model, features, label, analysis_type, hp) -> float:
        """Cross-entropy of the one-hot label."""
        probabilities = ridge_scores(model, features)
        truth = np.asarray(label).argmax(axis=1)
        return float(-np.log(probabilities[np.arange(len(truth)), truth] + 1e-12).mean())


# -- a sampler and an executor -------------------------------------------------------------


class ReversedGridSampler(GridSampler):
    """Every grid point once, the last first."""

    def __init__(self, goal: str, parameters: dict[str, dict[str, Any]]) -> None:
        super().__init__(goal, parameters)
        self.points.reverse()


class NewestFirstExecutor(SerialExecutor):
    """The serial executor, claiming the runs last-created first."""

    def run_runs(self, queue, progress: bool = True) -> None:
        """Train each pending run, newest first, then let the serial executor finish."""
        from assay.orm import Queue
        from assay.search.executors.run import execute_run

        runs = Queue.get_by_id(queue.id).runs
        for run in sorted(runs, key=lambda run: run.id, reverse=True):
            if run.status != "succeeded":
                execute_run(run.id)
        super().run_runs(queue, progress)


# -- a model format ------------------------------------------------------------------------


class NpzFormat(ModelFormat):
    """A ``numpy-ridge`` model's weights and alpha in NumPy's ``.npz`` (no pickles)."""

    id: ClassVar[str] = "npz"
    description: ClassVar[str] = "NumPy arrays of a numpy-ridge model (weights, alpha)"
    suffix: ClassVar[str] = ".npz"

    def validate(self, path: Path) -> None:
        """Refuse anything but an npz of ``weights`` and ``alpha``, without unpickling."""
        try:
            with np.load(path, allow_pickle=False) as arrays:
                names = set(arrays.files)
                shape = arrays["weights"].shape if "weights" in names else None
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise InvalidArgument(
                f"format 'npz': {Path(path).name!r} is not an npz: {exc}"
            ) from None
        if names != {"weights", "alpha"} or len(shape) != 2:
            raise InvalidArgument(
                f"format 'npz': {Path(path).name!r} must hold 'weights' (2-D) and 'alpha'; "
                f"got {sorted(names)}."
            )

    def can_export(self, predictor) -> bool:
        """numpy-ridge models only."""
        return predictor.library == RidgeAdapter.name

    def export(self, predictor, path: Path) -> None:
        """Write the weights once the file's outputs match the model's on the test rows."""
        from assay.registry.formats.parity import check_parity, parity_rows

        if not self.can_export(predictor):
            super().export(predictor, path)
        rows = parity_rows(predictor)
        arrays = {"weights": rows.model["weights"], "alpha": np.asarray(rows.model["alpha"])}
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)
        reloaded = self.load(path)
        check_parity(
            self.id,
            rows,
            ridge_scores(rows.model, rows.features),
            ridge_scores(reloaded, rows.features),
        )

    def load(self, path: Path) -> dict[str, Any]:
        """The model dict ``numpy-ridge`` predicts with."""
        self.validate(path)
        with np.load(path, allow_pickle=False) as arrays:
            return {"weights": arrays["weights"], "alpha": float(arrays["alpha"])}


# -- an integration ------------------------------------------------------------------------


class JsonLinesIntegration(Integration):
    """Appends ``{"hook": ..., **arguments}`` to ``path`` for each hook, as JSON lines.

    Args:
        path: The file to append to.
    """

    def __init__(self, path: str = "assay_hooks.jsonl") -> None:
        self.path = Path(path)

    def _write(self, hook: str, **kwargs: Any) -> None:
        skipped = ("model_file", "app") if hook == "serve" else ("model", "model_file")
        plain = {key: value for key, value in kwargs.items() if key not in skipped}
        with open(self.path, "a") as handle:
            handle.write(json.dumps({"hook": hook, **plain}, default=str) + "\n")

    def train_init(self, **kwargs: Any) -> None:
        """Write the call."""
        self._write("train_init", **kwargs)

    def train_epoch_end(self, **kwargs: Any) -> None:
        """Write the call."""
        self._write("train_epoch_end", **kwargs)

    def train_end(self, **kwargs: Any) -> None:
        """Write the call."""
        self._write("train_end", **kwargs)

    def serve(self, **kwargs: Any) -> None:
        """Write the call (the application left out)."""
        self._write("serve", **kwargs)
