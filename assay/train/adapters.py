"""One adapter per model library, found by name: how to build, train, predict, score and save.

Every adapter runs the Algorithm's functions the same way (``run``), fills in the defaults
for fn_predict, fn_lose and fn_optimize by analysis_type, and turns a trained model into
bytes that a fresh process can load. Add a library with ``register_adapter``.
"""

from __future__ import annotations

import inspect
import io
import os
import tempfile
from collections.abc import Callable
from typing import Any

import cloudpickle
import numpy as np

from assay.errors import InvalidArgument
from assay.train.live import epoch_hook, report_epoch

Features = Any  # one ndarray, or a list of them for multi-input models


def _first_positional(function: Callable) -> bool:
    """Whether ``function`` takes a positional argument (``fn_optimize(model, **hp)``)."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.kind in kinds for p in inspect.signature(function).parameters.values())


def split_history(result: Any, model_type: Any = None) -> tuple[Any, dict | None]:
    """``fn_train``'s result as ``(model, history)``: accepts model, (history, model), (model, history)."""
    if isinstance(result, tuple) and len(result) == 2:
        first, second = result
        if isinstance(first, dict) and not isinstance(second, dict):
            return second, first
        if isinstance(second, dict) and not isinstance(first, dict):
            return first, second
        raise InvalidArgument(
            "fn_train returned a pair without a history dict; return the model, or "
            "(history, model) / (model, history) with history a dict of per-epoch lists."
        )
    return result, None


def clean_history(history: dict | None) -> dict[str, list[float]]:
    """History values as lists of floats (Keras and ``fit`` give arrays or lists)."""
    if not history:
        return {}
    return {
        str(key): [float(v) for v in np.ravel(np.asarray(values, dtype=np.float64))]
        for key, values in history.items()
    }


class Adapter:
    """What every library adapter does; subclasses fill in the library-specific parts."""

    name = ""

    def default_fn_lose(self, analysis_type: str) -> Callable | None:
        """``fn_lose(**hp)`` for this library and analysis_type (None: computed by assay)."""
        return None

    def default_fn_optimize(self, analysis_type: str) -> Callable | None:
        """``fn_optimize(**hp)`` for this library (None: the library needs none)."""
        return None

    def default_fn_predict(self, analysis_type: str) -> Callable:
        """``fn_predict(model, features)`` for this library and analysis_type."""
        raise NotImplementedError

    def resolve(self, functions: dict[str, Callable | None], analysis_type: str) -> dict[str, Any]:
        """The Algorithm's functions with the defaults filled in where it gave none."""
        resolved = dict(functions)
        resolved["fn_predict"] = functions.get("fn_predict") or self.default_fn_predict(
            analysis_type
        )
        resolved["fn_lose"] = functions.get("fn_lose") or self.default_fn_lose(analysis_type)
        resolved["fn_optimize"] = functions.get("fn_optimize") or self.default_fn_optimize(
            analysis_type
        )
        resolved["analysis_type"] = analysis_type
        return resolved

    def make_optimizer(self, fn_optimize: Callable | None, model: Any, hp: dict) -> Any:
        """Call ``fn_optimize(**hp)``, or ``fn_optimize(model, **hp)`` when it takes the model."""
        if fn_optimize is None:
            return None
        return fn_optimize(model, **hp) if _first_positional(fn_optimize) else fn_optimize(**hp)

    def run(
        self,
        fns: dict[str, Any],
        hp: dict[str, Any],
        features_shape: Any,
        label_shape: Any,
        train: tuple[Features, np.ndarray | None],
        evaluate: tuple[Features, np.ndarray | None],
        *,
        on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    ) -> tuple[Any, dict[str, list[float]]]:
        """Build the model, make its loss and optimizer, train it; returns (model, history)."""
        self.before_build()
        model = fns["fn_build"](features_shape, label_shape, **hp)
        if model is None:
            raise InvalidArgument("fn_build returned None; it must return the model it builds.")
        loser = fns["fn_lose"](**hp) if fns.get("fn_lose") else None
        optimizer = self.make_optimizer(fns.get("fn_optimize"), model, hp)
        self.prepare(model, optimizer)
        live = on_epoch is not None
        with epoch_hook(on_epoch):
            self.attach_live_history(model)
            result = fns["fn_train"](
                model, loser, optimizer, train[0], train[1], evaluate[0], evaluate[1], **hp
            )
        trained, history = split_history(result)
        if trained is None:
            trained = model
        history = clean_history(history if history is not None else self.history_of(trained))
        if live and not self.reports_live and history:
            for epoch in range(len(next(iter(history.values())))):
                on_epoch(
                    epoch,
                    {key: values[epoch] for key, values in history.items() if epoch < len(values)},
                )
        self.keep_optimizer(trained, optimizer)
        return trained, history

    reports_live = False

    def before_build(self) -> None:
        """Library set-up before the user's functions run (e.g. choosing Keras's backend)."""

    def prepare(self, model: Any, optimizer: Any) -> None:
        """Library-specific set-up before training."""

    def attach_live_history(self, model: Any) -> None:
        """Make the library report epochs as they finish (where it can)."""

    def history_of(self, model: Any) -> dict | None:
        """The history the library kept, when fn_train returned none."""
        return None

    def keep_optimizer(self, model: Any, optimizer: Any) -> None:
        """Remember the optimizer with the model, where the library needs it later."""

    def predict(
        self, fn_predict: Callable, model: Any, features: Features
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Predictions (class indices for classification) and probabilities (or None)."""
        result = fn_predict(model, features)
        if isinstance(result, tuple):
            predictions, probabilities = result
            return np.asarray(predictions), None if probabilities is None else np.asarray(
                probabilities, dtype=np.float64
            )
        return np.asarray(result), None

    def loss(
        self,
        fn_lose: Callable | None,
        model: Any,
        features: Features,
        label: np.ndarray,
        analysis_type: str,
        hp: dict,
    ) -> float:
        """The loss of the model on some samples."""
        raise NotImplementedError

    def save(self, model: Any) -> bytes:
        """The model as bytes that ``load`` turns back into it in any process."""
        return cloudpickle.dumps(model)

    def load(self, data: bytes) -> Any:
        """The model saved by ``save``."""
        return cloudpickle.loads(data)


# -- scikit-learn and XGBoost --------------------------------------------------------------


def _estimator_predict(analysis_type: str) -> Callable:
    def fn_predict(model: Any, features: Any) -> Any:
        if analysis_type == "regression":
            return model.predict(features)
        probabilities = model.predict_proba(features) if hasattr(model, "predict_proba") else None
        if probabilities is not None:
            return probabilities.argmax(axis=1), probabilities
        return model.predict(features), None

    return fn_predict


def _sklearn_loss(
    model: Any, features: Any, label: np.ndarray, analysis_type: str, fn_predict: Callable
) -> float:
    from sklearn.metrics import log_loss, mean_squared_error

    label = np.asarray(label)
    if analysis_type == "regression":
        predictions = np.asarray(model.predict(features), dtype=np.float64)
        return float(
            mean_squared_error(label.reshape(len(label), -1), predictions.reshape(len(label), -1))
        )
    truth = label.argmax(axis=1) if label.ndim == 2 and label.shape[1] > 1 else label.reshape(-1)
    probabilities = model.predict_proba(features)
    return float(log_loss(truth, probabilities, labels=list(range(probabilities.shape[1]))))


class SklearnAdapter(Adapter):
    """scikit-learn: fn_build returns an estimator, fn_train fits it and returns it."""

    name = "sklearn"

    def default_fn_predict(self, analysis_type: str) -> Callable:
        """predict_proba's argmax and probabilities for classification; predict otherwise."""
        return _estimator_predict(analysis_type)

    def history_of(self, model: Any) -> dict | None:
        """MLP-style estimators keep their training loss per epoch in ``loss_curve_``."""
        curve = getattr(model, "loss_curve_", None)
        return {"loss": list(curve)} if curve is not None else None

    def loss(self, fn_lose, model, features, label, analysis_type, hp) -> float:
        """Log loss for classification, mean squared error for regression (or fn_lose's)."""
        if fn_lose is not None:
            loser = fn_lose(**hp)
            return float(loser(np.asarray(label), model.predict(features)))
        return _sklearn_loss(
            model, features, label, analysis_type, self.default_fn_predict(analysis_type)
        )


class XGBoostAdapter(SklearnAdapter):
    """XGBoost's scikit-learn estimators; history from ``evals_result()``."""

    name = "xgboost"

    def history_of(self, model: Any) -> dict | None:
        """``evals_result()``: the first eval set is the training loss, the second val_loss."""
        try:
            results = model.evals_result()
        except Exception:
            return None
        history = {}
        for at, (_, metrics) in enumerate(results.items()):
            prefix = "" if at == 0 else "val_"
            for at_metric, (name, values) in enumerate(metrics.items()):
                history[prefix + ("loss" if at_metric == 0 else name)] = list(values)
        return history or None


# -- PyTorch -------------------------------------------------------------------------------


def _torch_predict(analysis_type: str) -> Callable:
    def fn_predict(model: Any, features: Any) -> Any:
        import torch

        from assay.utils.pytorch import _forward, _tensors

        model.eval()
        with torch.no_grad():
            output = _forward(model, _tensors(features)).detach().cpu().numpy()
        if analysis_type == "regression":
            return output
        if analysis_type == "classification_binary":
            probabilities = output.reshape(len(output), -1)[:, -1]
            return (probabilities > 0.5).astype(np.int64), probabilities
        rows = output.reshape(len(output), -1)
        if not (np.all(rows >= 0) and np.allclose(rows.sum(axis=1), 1, atol=1e-4)):
            rows = np.exp(rows - rows.max(axis=1, keepdims=True))
            rows /= rows.sum(axis=1, keepdims=True)
        return rows.argmax(axis=1), rows

    return fn_predict


class PytorchAdapter(Adapter):
    """PyTorch: fn_train returns (history, model) or (model, history), e.g. from ``fit``."""

    name = "pytorch"
    reports_live = True  # assay.utils.pytorch.fit reports each epoch

    def default_fn_lose(self, analysis_type: str) -> Callable:
        """BCELoss (sigmoid outputs), CrossEntropyLoss, or L1Loss for regression."""

        def fn_lose(**hp: Any) -> Any:
            import torch

            if analysis_type == "classification_binary":
                return torch.nn.BCELoss()
            if analysis_type == "classification_multi":
                return torch.nn.CrossEntropyLoss()
            return torch.nn.L1Loss()

        return fn_lose

    def default_fn_optimize(self, analysis_type: str) -> Callable:
        """Adamax with learning rate ``hp['learning_rate']`` (default 0.01)."""

        def fn_optimize(model: Any, **hp: Any) -> Any:
            import torch

            return torch.optim.Adamax(model.parameters(), lr=hp.get("learning_rate", 0.01))

        return fn_optimize

    def default_fn_predict(self, analysis_type: str) -> Callable:
        """Threshold 0.5 (binary), argmax of softmax (multi), raw outputs (regression)."""
        return _torch_predict(analysis_type)

    def keep_optimizer(self, model: Any, optimizer: Any) -> None:
        """Saved with the model so training can continue after ``get_model``."""
        self._optimizer = optimizer

    def predict(self, fn_predict, model, features):
        """Predict in one call on CPU tensors."""
        return super().predict(fn_predict, model, features)

    def loss(self, fn_lose, model, features, label, analysis_type, hp) -> float:
        """The loser's value on all the samples at once."""
        import torch

        from assay.utils.pytorch import _forward, _tensor, _tensors, target_for

        loser = (fn_lose or self.default_fn_lose(analysis_type))(**hp)
        model.eval()
        with torch.no_grad():
            output = _forward(model, _tensors(features))
            return float(loser(output, target_for(loser, output, _tensor(label))))

    def save(self, model: Any) -> bytes:
        """The model and its optimizer (state included), pickled together by value."""
        import torch

        optimizer = getattr(self, "_optimizer", None)
        buffer = io.BytesIO()
        torch.save({"model": model, "optimizer": optimizer}, buffer, pickle_module=cloudpickle)
        return buffer.getvalue()

    def load(self, data: bytes) -> tuple[Any, Any]:
        """``(model, optimizer)``; the optimizer is None when none was saved."""
        import torch

        saved = torch.load(io.BytesIO(data), weights_only=False)
        model = saved["model"]
        model.eval()
        return model, saved.get("optimizer")


# -- Keras ---------------------------------------------------------------------------------


def import_keras() -> Any:
    """Keras on the PyTorch backend unless the user chose another."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras


def _keras_predict(analysis_type: str) -> Callable:
    def fn_predict(model: Any, features: Any) -> Any:
        output = np.asarray(model.predict(features, verbose=0))
        if analysis_type == "regression":
            return output
        if analysis_type == "classification_binary":
            probabilities = output.reshape(len(output), -1)[:, -1]
            return (probabilities > 0.5).astype(np.int64), probabilities
        return output.argmax(axis=1), output

    return fn_predict


class KerasAdapter(Adapter):
    """Keras 3: fn_train compiles and fits the model and returns it."""

    name = "keras"
    reports_live = True

    def default_fn_lose(self, analysis_type: str) -> Callable:
        """Binary or categorical cross-entropy, or mean absolute error for regression."""

        def fn_lose(**hp: Any) -> Any:
            keras = import_keras()
            if analysis_type == "classification_binary":
                return keras.losses.BinaryCrossentropy()
            if analysis_type == "classification_multi":
                return keras.losses.CategoricalCrossentropy()
            return keras.losses.MeanAbsoluteError()

        return fn_lose

    def default_fn_optimize(self, analysis_type: str) -> Callable:
        """Adamax with learning rate ``hp['learning_rate']`` (default 0.01)."""

        def fn_optimize(**hp: Any) -> Any:
            return import_keras().optimizers.Adamax(learning_rate=hp.get("learning_rate", 0.01))

        return fn_optimize

    def default_fn_predict(self, analysis_type: str) -> Callable:
        """Threshold 0.5 (binary), argmax (multi), raw outputs (regression)."""
        return _keras_predict(analysis_type)

    def before_build(self) -> None:
        """Import Keras on the PyTorch backend unless KERAS_BACKEND says otherwise."""
        import_keras()

    def attach_live_history(self, model: Any) -> None:
        """Wrap this model's ``fit`` so that a callback reports each epoch as it ends."""
        keras = import_keras()

        class Reporter(keras.callbacks.Callback):
            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                report_epoch(epoch, dict(logs or {}))

        original = model.fit

        def fit(*args: Any, **kwargs: Any) -> Any:
            callbacks = list(kwargs.pop("callbacks", None) or [])
            kwargs["callbacks"] = [*callbacks, Reporter()]
            return original(*args, **kwargs)

        model.fit = fit

    def history_of(self, model: Any) -> dict | None:
        """``model.history.history`` of the last fit."""
        history = getattr(model, "history", None)
        return getattr(history, "history", None)

    def loss(self, fn_lose, model, features, label, analysis_type, hp) -> float:
        """The loss function on the model's predictions for all samples."""
        loser = (fn_lose or self.default_fn_lose(analysis_type))(**hp)
        predicted = model.predict(features, verbose=0)
        label = np.asarray(label, dtype=np.float32)
        value = loser(
            label.reshape(np.shape(predicted)) if label.size == np.size(predicted) else label,
            predicted,
        )
        return float(np.asarray(value.detach().cpu() if hasattr(value, "detach") else value).mean())

    def save(self, model: Any) -> bytes:
        """The ``.keras`` file of the model."""
        if "fit" in vars(model):
            del model.fit  # drop the live-history wrapper before saving
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            model.save(path)
            with open(path, "rb") as handle:
                return handle.read()

    def load(self, data: bytes) -> Any:
        """The model, from the ``.keras`` bytes."""
        keras = import_keras()
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            with open(path, "wb") as handle:
                handle.write(data)
            return keras.saving.load_model(path)


_REGISTRY: dict[str, Adapter] = {}


def register_adapter(adapter: Adapter) -> None:
    """Make a library available to ``Algorithm.make(library=adapter.name)``."""
    _REGISTRY[adapter.name] = adapter


def get_adapter(library: str) -> Adapter:
    """The adapter of a library.

    Raises:
        InvalidArgument: An unknown library, listing the known ones.
    """
    try:
        return _REGISTRY[library]
    except KeyError:
        raise InvalidArgument(
            f"library must be one of {sorted(_REGISTRY)}; got {library!r}."
        ) from None


for _adapter in (KerasAdapter(), PytorchAdapter(), SklearnAdapter(), XGBoostAdapter()):
    register_adapter(_adapter)

LIBRARIES = tuple(_REGISTRY)
