"""The base adapter: how every model library is built, trained, scored, predicted and saved.

``Adapter.run`` calls an Algorithm's functions in the order of the spec (fn_build, fn_lose,
fn_optimize, fn_train), accepts the return shapes the libraries use (the model; ``(history,
model)``; ``(model, history)``) and reports each epoch to an ``on_epoch`` callback, live where
the library allows it and otherwise once training is done. Subclasses fill in the rest.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import cloudpickle
import numpy as np

from assay.errors import InvalidArgument
from assay.train.live import epoch_hook

if TYPE_CHECKING:
    from assay.train.adapters.examples import Example

Features = Any  # one ndarray, or a list of them for multi-input models
EpochCallback = Callable[[int, dict[str, float]], None]


def takes_positional(function: Callable) -> bool:
    """Whether ``function`` takes a positional argument (``fn_optimize(model, **hp)``)."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.kind in kinds for p in inspect.signature(function).parameters.values())


def split_history(result: Any) -> tuple[Any, dict | None]:
    """``fn_train``'s result as ``(model, history)``.

    Args:
        result: The model; or ``(history, model)`` as the spec's PyTorch template returns;
            or ``(model, history)`` as ``assay.utils.pytorch.fit`` returns.

    Returns:
        The model and the history dict (None when fn_train returned the model alone).

    Raises:
        InvalidArgument: A pair in which neither or both items are dicts.
    """
    if isinstance(result, tuple) and len(result) == 2:
        first, second = result
        if isinstance(first, dict) and not isinstance(second, dict):
            return second, first
        if isinstance(second, dict) and not isinstance(first, dict):
            return first, second
        raise InvalidArgument(
            "fn_train returned a pair without exactly one history dict; return the model, or "
            "(history, model) / (model, history) with history a dict of per-epoch values; "
            f"got ({type(first).__name__}, {type(second).__name__})."
        )
    return result, None


def clean_history(history: dict | None) -> dict[str, list[float]]:
    """A history with str keys and lists of floats (libraries give arrays, tensors or lists)."""
    if not history:
        return {}
    clean = {}
    for key, values in history.items():
        if hasattr(values, "detach"):
            values = values.detach().cpu().numpy()
        clean[str(key)] = [float(v) for v in np.ravel(np.asarray(values, dtype=np.float64))]
    return clean


class _Counter:
    """Forwards epochs to a callback and counts them, to know whether any were reported live."""

    def __init__(self, on_epoch: EpochCallback) -> None:
        self.on_epoch = on_epoch
        self.count = 0

    def __call__(self, epoch: int, metrics: dict[str, Any]) -> None:
        self.count += 1
        self.on_epoch(int(epoch), metrics)


class Adapter:
    """What every library adapter does; subclasses fill in the library-specific parts."""

    name = ""

    def example(self) -> Example | None:
        """A small multi-class classifier of this library (``examples.Example``), or None.

        The conformance suite trains it to check the adapter as it checks the built-ins; a
        plug-in library should return one.
        """
        from assay.train.adapters.examples import EXAMPLES

        return EXAMPLES.get(self.name)

    # -- defaults of the optional functions -------------------------------------------------

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
        """The Algorithm's functions with this library's defaults where it gave none.

        Args:
            functions: ``fn_build``, ``fn_train`` and the optional ``fn_predict``, ``fn_lose``,
                ``fn_optimize`` (None where not given).
            analysis_type: Chooses the defaults.

        Returns:
            A copy with the defaults filled in, plus ``analysis_type``.
        """
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
        """Call ``fn_optimize(**hp)``, or ``fn_optimize(model, **hp)`` when it takes the model.

        Args:
            fn_optimize: The Algorithm's ``fn_optimize``, or the library's default; None
                (estimators) makes no optimizer and returns None.
            model: What ``fn_build`` returned, whose parameters the optimizer updates.
            hp: One combination of hyperparameters, passed as ``**hp``.
        """
        if fn_optimize is None:
            return None
        return fn_optimize(model, **hp) if takes_positional(fn_optimize) else fn_optimize(**hp)

    # -- training ---------------------------------------------------------------------------

    def run(
        self,
        fns: dict[str, Any],
        hp: dict[str, Any],
        features_shape: Any,
        label_shape: Any,
        train: tuple[Features, np.ndarray | None],
        evaluate: tuple[Features, np.ndarray | None],
        *,
        on_epoch: EpochCallback | None = None,
    ) -> tuple[Any, dict[str, list[float]]]:
        """Build the model, make its loss and optimizer, and train it.

        Args:
            fns: The Algorithm's functions (see ``resolve``); ``fn_build`` and ``fn_train``
                are required, ``fn_lose`` and ``fn_optimize`` may be None.
            hp: One combination of hyperparameters, passed as ``**hp``.
            features_shape: The shape of one sample's features (a list for several Features).
            label_shape: The shape of one sample's label.
            train: ``(features, label)`` to train on.
            evaluate: ``(features, label)`` to evaluate on during training.
            on_epoch: Called as ``on_epoch(epoch, metrics)`` once per epoch, as each ends
                where the library allows it (Keras, ``assay.utils.pytorch.fit``), otherwise
                for every epoch of the history once training is done.

        Returns:
            ``(model, history)``, history as ``{metric: [one float per epoch]}``.

        Raises:
            InvalidArgument: fn_build returned None, or fn_train returned a bad pair.
        """
        self.before_build()
        model = fns["fn_build"](features_shape, label_shape, **hp)
        if model is None:
            raise InvalidArgument("fn_build returned None; it must return the model it builds.")
        loser = fns["fn_lose"](**hp) if fns.get("fn_lose") else None
        optimizer = self.make_optimizer(fns.get("fn_optimize"), model, hp)
        counter = _Counter(on_epoch) if on_epoch is not None else None
        with epoch_hook(counter):
            self.attach_live_history(model)
            try:
                result = fns["fn_train"](
                    model, loser, optimizer, train[0], train[1], evaluate[0], evaluate[1], **hp
                )
            finally:
                self.detach_live_history(model)
        trained, history = split_history(result)
        if trained is None:
            trained = model
        else:
            self.detach_live_history(trained)
        history = clean_history(history if history is not None else self.history_of(trained))
        if counter is not None and counter.count == 0 and history:
            epochs = max(len(values) for values in history.values())
            for epoch in range(epochs):
                on_epoch(
                    epoch,
                    {key: values[epoch] for key, values in history.items() if epoch < len(values)},
                )
        self.keep_optimizer(trained, optimizer)
        return trained, history

    def build_label_shape(
        self, label_shape: Any, analysis_type: str, class_names: list[Any] | None
    ) -> Any:
        """The ``label_shape`` that ``fn_build`` receives: the label's own, by default.

        Args:
            label_shape: The shape of one sample's label, as cached.
            analysis_type: The Algorithm's analysis_type.
            class_names: The Label's classes in ordinal order (None for regression).
        """
        return label_shape

    def before_build(self) -> None:
        """Library set-up before the user's functions run (e.g. choosing Keras's backend)."""

    def attach_live_history(self, model: Any) -> None:
        """Make the library report epochs as they finish (where it can)."""

    def detach_live_history(self, model: Any) -> None:
        """Undo ``attach_live_history`` so the model is saved and used as the user built it."""

    def history_of(self, model: Any) -> dict | None:
        """The history the library kept, when fn_train returned none."""
        return None

    def keep_optimizer(self, model: Any, optimizer: Any) -> None:
        """Remember the optimizer with the model, where the library saves it too."""

    # -- using the model --------------------------------------------------------------------

    def predict(
        self, fn_predict: Callable | None, model: Any, features: Features, analysis_type: str = ""
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Predict all the samples in one call.

        Args:
            fn_predict: ``fn_predict(model, features)``; None uses the default of
                ``analysis_type``.
            model: The trained model.
            features: One array, or a list of them for a multi-input model.
            analysis_type: Only used when fn_predict is None.

        Returns:
            ``(predictions, probabilities)``: class indices (never one-hot) for
            classification with the probabilities, or the predicted values and None.
        """
        if fn_predict is None:
            fn_predict = self.default_fn_predict(analysis_type)
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
        """The loss of the model on some samples (all of them at once).

        Args:
            fn_lose: The Algorithm's ``fn_lose``, called as ``fn_lose(**hp)`` for the loser;
                None uses the library's default for ``analysis_type``.
            model: The trained model.
            features: One preprocessed array, or a list of them for a multi-input model.
            label: Their preprocessed label, as the model was trained on it (class
                indices or one-hot for classification).
            analysis_type: Chooses the default loss when fn_lose is None.
            hp: The hyperparameters the model was trained with.

        Returns:
            One float, the mean over the samples as the loser reduces it.
        """
        raise NotImplementedError

    # -- saving -----------------------------------------------------------------------------

    def save(self, model: Any) -> bytes:
        """The model as bytes that ``load`` turns back into it in any process."""
        return cloudpickle.dumps(model)

    def load(self, data: bytes) -> Any:
        """The model saved by ``save``."""
        return cloudpickle.loads(data)
