"""The callback base: every point of training and prediction where user code may step in.

A ``Callback`` overrides only the points it needs; every other one is a no-op. The Model
tells each callback which Model it serves (``set_model``) before training or prediction
begins, so a callback reads and changes the training state through
``self.model.fit_params``. ``CallbackList`` calls each point on the callbacks that override
it, in the order they were given, and skips the rest: a point nobody overrides costs one
loop over an empty list per batch, which keeps the training loop lean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assay.nn.model import Model

#: The points of a training run, in the order they first occur.
TRAIN_POINTS = (
    "on_train_begin",
    "on_epoch_begin",
    "on_fold_begin",
    "on_batch_begin",
    "on_forwards_end",
    "on_backwards_begin",
    "on_backwards_end",
    "on_batch_end",
    "on_fold_end",
    "on_epoch_end",
    "on_train_end",
)
#: The points of a prediction, in the order they first occur.
PRED_POINTS = ("on_pred_begin", "on_batch_begin", "on_forwards_end", "on_batch_end", "on_pred_end")
POINTS = tuple(dict.fromkeys(TRAIN_POINTS + PRED_POINTS))


class Callback:
    """A hook into training and prediction; override the points you need.

    ``self.model`` is the ``assay.nn.Model`` being trained or predicting, and
    ``self.model.fit_params`` its state: ``x``, ``y``, ``w`` of the batch, ``y_pred``,
    ``loss_val``, ``state`` ("train", "valid" or "test"), ``epoch``, ``stop`` and more.
    """

    model: Model | None = None

    def set_model(self, model: Model) -> None:
        """Attach the Model this callback serves (the Model calls it)."""
        self.model = model

    def on_train_begin(self) -> None:
        """All is prepared and the first epoch is about to begin."""

    def on_epoch_begin(self) -> None:
        """A training or validation epoch is about to begin (see ``fit_params.state``)."""

    def on_fold_begin(self) -> None:
        """A fold's data is loaded in ``fit_params.by`` (a BatchYielder) and about to be used.

        Changing ``fit_params.by``'s tensors here changes the whole fold's data.
        """

    def on_batch_begin(self) -> None:
        """``fit_params.x``, ``y`` and ``w`` hold the batch; change them to change the batch."""

    def on_forwards_end(self) -> None:
        """``fit_params.y_pred`` and ``fit_params.loss_val`` are computed.

        Setting ``fit_params.loss_val`` here changes what is back-propagated and recorded.
        At prediction there is no loss: ``loss_val`` is None.
        """

    def on_backwards_begin(self) -> None:
        """The gradients are zeroed and the loss is about to be back-propagated."""

    def on_backwards_end(self) -> None:
        """The gradients are computed; the optimiser has not stepped: change them here."""

    def on_batch_end(self) -> None:
        """The batch is done: forwards, loss and, in training, the parameter update."""

    def on_fold_end(self) -> None:
        """A training or validation fold is done."""

    def on_epoch_end(self) -> None:
        """A training or validation epoch is done.

        ``fit_params.trn_loss`` (or ``val_loss``) holds the epoch's mean loss.
        """

    def on_train_end(self) -> None:
        """Training is over (finished, or stopped early)."""

    def on_pred_begin(self) -> None:
        """The data to predict is loaded in ``fit_params.by`` and prediction is about to begin."""

    def on_pred_end(self) -> None:
        """Every batch has been predicted."""


def overrides(callback: Callback, point: str) -> bool:
    """Whether ``callback``'s class defines its own ``point`` rather than the no-op."""
    return getattr(type(callback), point) is not getattr(Callback, point)


class CallbackList:
    """Callbacks as the training loop calls them: ``cbs.on_batch_begin()`` calls each in turn.

    Only the callbacks that override a point are called at it; the lists are made once, when
    the CallbackList is made.
    """

    def __init__(self, callbacks: list[Callback]) -> None:
        self.callbacks = list(callbacks)
        for point in POINTS:
            bound = [getattr(cb, point) for cb in self.callbacks if overrides(cb, point)]
            setattr(self, point, _caller(bound))

    def __iter__(self) -> Any:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)


def _caller(bound: list[Any]) -> Any:
    """One function that calls each of ``bound``; a no-op when there are none."""
    if not bound:
        return _nothing
    if len(bound) == 1:
        return bound[0]

    def call_each() -> None:
        for method in bound:
            method()

    return call_each


def _nothing() -> None:
    """What a point nobody overrides costs: one call that does nothing."""
