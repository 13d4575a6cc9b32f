"""The Keras 3 adapter: defaults, live history through a callback, and ``.keras`` files.

Keras runs on the fastest backend installed: JAX where it is, else PyTorch (on CPU JAX
imports in about half the time and trains small models two to three times faster).
``KERAS_BACKEND`` always overrides; it is set only here, in ``import_keras``. A ``.keras``
file holds no backend, so a model saved under one loads under the other. Defaults, chosen to
agree with each other:

- classification_binary: ``BinaryCrossentropy`` on a sigmoid output of one unit;
  predictions ``p > 0.5``, probabilities ``p``.
- classification_multi: ``CategoricalCrossentropy`` on a softmax output per class (one-hot
  labels; ordinal labels are one-hot encoded when assay computes the loss); predictions are
  the argmax, probabilities the outputs.
- regression: ``MeanAbsoluteError``; predictions are the outputs.
- optimizer: ``Adamax(learning_rate=hp.get('learning_rate', 0.01))``.

A model is saved as a ``.keras`` file. When it uses classes of the user's own (custom layers
or models), those classes are pickled by value with it, so a fresh process can load it.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Callable
from typing import Any

import cloudpickle
import numpy as np

from assay.errors import InvalidArgument
from assay.train.adapters.base import Adapter
from assay.train.live import report_epoch

BUNDLE = b"ASSAY-KERAS-BUNDLE\n"  # prefix of a .keras file saved with its custom classes


#: Backends in order of preference when ``KERAS_BACKEND`` is not set.
PREFERRED_BACKENDS = ("jax", "torch")


def choose_backend() -> str:
    """``KERAS_BACKEND`` when set, else the first of PREFERRED_BACKENDS that is installed.

    Falls back to ``'torch'`` (assay's ``torch`` extra) when neither is found, so that the
    error Keras raises names the package to install.
    """
    chosen = os.environ.get("KERAS_BACKEND")
    if chosen:
        return chosen
    for backend in PREFERRED_BACKENDS:
        if importlib.util.find_spec(backend) is not None:
            return backend
    return "torch"


def import_keras() -> Any:
    """Keras, on the backend ``choose_backend`` picks (KERAS_BACKEND overrides).

    The choice is written to ``KERAS_BACKEND`` before Keras is first imported; Keras reads it
    then and keeps it for the life of the process.
    """
    os.environ["KERAS_BACKEND"] = choose_backend()
    import keras

    return keras


def default_predict(analysis_type: str) -> Callable:
    """``fn_predict(model, features)`` matching the default losses (see the module)."""

    def fn_predict(model: Any, features: Any) -> Any:
        output = np.asarray(model.predict(features, verbose=0))
        if analysis_type == "regression":
            return output
        rows = output.reshape(len(output), -1)
        if analysis_type == "classification_binary":
            probabilities = rows[:, -1]
            return (probabilities > 0.5).astype(np.int64), probabilities
        return rows.argmax(axis=1), rows

    return fn_predict


def default_lose(analysis_type: str) -> Callable:
    """``fn_lose(**hp)``: binary or categorical cross-entropy, or mean absolute error."""

    def fn_lose(**hp: Any) -> Any:
        keras = import_keras()
        if analysis_type == "classification_binary":
            return keras.losses.BinaryCrossentropy()
        if analysis_type == "classification_multi":
            return keras.losses.CategoricalCrossentropy()
        return keras.losses.MeanAbsoluteError()

    return fn_lose


def default_optimize(**hp: Any) -> Any:
    """Adamax with learning rate ``hp['learning_rate']`` or 0.01."""
    return import_keras().optimizers.Adamax(learning_rate=hp.get("learning_rate", 0.01))


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value, dtype=np.float64)


def _custom_classes(model: Any) -> dict[str, type]:
    """The classes of the model and its layers that are not Keras's own, by name."""
    keras = import_keras()
    objects = [model]
    flatten = getattr(model, "_flatten_layers", None)
    if flatten is not None:
        objects.extend(flatten(include_self=False, recursive=True))
    classes: dict[str, type] = {}
    for obj in objects:
        cls = type(obj)
        if cls.__module__.split(".")[0] in ("keras", "tensorflow", "tf_keras"):
            continue
        classes[cls.__name__] = cls
        classes[keras.saving.get_registered_name(cls)] = cls
    return classes


class KerasAdapter(Adapter):
    """Keras 3: fn_train compiles and fits the model and returns it."""

    name = "keras"

    def default_fn_lose(self, analysis_type: str) -> Callable:
        """Binary or categorical cross-entropy, or mean absolute error for regression."""
        return default_lose(analysis_type)

    def default_fn_optimize(self, analysis_type: str) -> Callable:
        """Adamax with learning rate ``hp['learning_rate']`` (default 0.01)."""
        return default_optimize

    def default_fn_predict(self, analysis_type: str) -> Callable:
        """Threshold 0.5 (binary), argmax (multi), raw outputs (regression)."""
        return default_predict(analysis_type)

    def before_build(self) -> None:
        """Import Keras on the chosen backend before the user's fn_build imports it."""
        import_keras()

    def attach_live_history(self, model: Any) -> None:
        """Wrap this model instance's ``fit`` to add a callback that reports each epoch."""
        if not hasattr(model, "fit") or "fit" in vars(model):
            return
        keras = import_keras()

        class LiveHistory(keras.callbacks.Callback):
            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                report_epoch(epoch, {k: float(_to_numpy(v)) for k, v in (logs or {}).items()})

        original = model.fit

        def fit(*args: Any, **kwargs: Any) -> Any:
            callbacks = list(kwargs.pop("callbacks", None) or [])
            kwargs["callbacks"] = [*callbacks, LiveHistory()]
            return original(*args, **kwargs)

        fit.assay_live = True
        model.fit = fit

    def detach_live_history(self, model: Any) -> None:
        """Remove the wrapper, so the model is saved and used as the user built it."""
        fit = vars(model).get("fit") if hasattr(model, "__dict__") else None
        if getattr(fit, "assay_live", False):
            del model.fit

    def history_of(self, model: Any) -> dict | None:
        """``model.history.history`` of the last fit."""
        history = getattr(model, "history", None)
        return getattr(history, "history", None)

    def loss(self, fn_lose, model, features, label, analysis_type, hp) -> float:
        """``loser(label, model.predict(features))`` for all the samples, averaged.

        Args:
            fn_lose: Returns a Keras loss object, function or name from ``**hp``; None
                takes binary or categorical cross-entropy or mean absolute error.
            model: The trained Keras model.
            features: What ``model.predict`` takes: an array, or a list for several inputs.
            label: Their label; class indices are one-hot encoded for a categorical
                (not sparse) cross-entropy on several output columns.
            analysis_type: Picks the default loss when fn_lose is None.
            hp: The run's hyperparameters, for ``fn_lose(**hp)``.
        """
        keras = import_keras()
        loser = (fn_lose or self.default_fn_lose(analysis_type))(**hp)
        if isinstance(loser, str):
            loser = keras.losses.get(loser)
        predicted = np.asarray(model.predict(features, verbose=0), dtype=np.float32)
        label = np.asarray(label, dtype=np.float32)
        categorical = getattr(loser, "__name__", type(loser).__name__).lower()
        if (
            "categorical" in categorical
            and "sparse" not in categorical
            and predicted.ndim == 2
            and predicted.shape[1] > 1
            and label.size == len(label)
        ):
            label = np.eye(predicted.shape[1], dtype=np.float32)[label.reshape(-1).astype(int)]
        elif label.size == predicted.size:
            label = label.reshape(predicted.shape)
        return float(_to_numpy(loser(label, predicted)).mean())

    def save(self, model: Any) -> bytes:
        """The ``.keras`` file of the model; with its custom classes when it has some."""
        self.detach_live_history(model)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            model.save(path)
            with open(path, "rb") as handle:
                data = handle.read()
        custom = _custom_classes(model)
        if not custom:
            return data
        return BUNDLE + cloudpickle.dumps({"keras": data, "custom_objects": custom})

    def load(self, data: bytes) -> Any:
        """The model saved by ``save``; uncompiled if its compile settings cannot be restored.

        Raises:
            InvalidArgument: Bytes that are not a saved Keras model.
        """
        keras = import_keras()
        custom: dict[str, type] = {}
        if data.startswith(BUNDLE):
            bundle = cloudpickle.loads(data[len(BUNDLE) :])
            data, custom = bundle["keras"], bundle["custom_objects"]
        if not data.startswith(b"PK"):
            raise InvalidArgument("load: the bytes are not a .keras file saved by assay.")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            with open(path, "wb") as handle:
                handle.write(data)
            try:
                return keras.saving.load_model(path, custom_objects=custom)
            except Exception:  # e.g. a custom loss in the compile settings
                return keras.saving.load_model(path, custom_objects=custom, compile=False)
