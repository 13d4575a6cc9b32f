"""Callbacks that watch one quantity per epoch: the losses or a metric callback's value.

``trn_loss`` is known at the end of each training epoch; ``val_loss`` and every metric (see
``metrics.EvalMetric``) at the end of each validation epoch. A Monitor checks its quantity
when it is new and says whether it improved on the best so far.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from assay.errors import InvalidArgument
from assay.nn.callbacks.base import Callback
from assay.nn.callbacks.metrics import EvalMetric

#: The losses a fit records; lower is better for both.
LOSSES = ("val_loss", "trn_loss")


class Monitor(Callback):
    """Base of callbacks that act when a monitored quantity improves or stalls.

    Args:
        monitor: "val_loss" (default), "trn_loss", or the name of a metric callback.
        higher_better: Whether larger values are better. None (default) reads it from what is
            monitored: False for the losses, the metric callback's own ``higher_better`` for a
            metric; a value that contradicts the metric's is refused.
    """

    def __init__(self, monitor: str = "val_loss", higher_better: bool | None = None) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise InvalidArgument(
                f"monitor must be 'val_loss', 'trn_loss' or a metric's name; got {monitor!r}."
            )
        self.monitor = monitor
        #: As given; ``higher_better`` is what ``on_train_begin`` settles on for the fit.
        self.higher_better_given = None if higher_better is None else bool(higher_better)
        self.higher_better = self.higher_better_given
        self.best: float | None = None
        self.best_epoch: int | None = None

    def on_train_begin(self) -> None:
        """Start afresh; refuse to watch the validation loss of a fit without validation."""
        fp = self.model.fit_params
        if self.monitor != "trn_loss" and fp.val_idx is None:
            raise InvalidArgument(
                f"{type(self).__name__} monitors {self.monitor!r}, which needs a validation "
                "fold: pass val_idx to fit, or monitor='trn_loss'."
            )
        self.higher_better = self.direction(fp.cbs)
        self.best = None
        self.best_epoch = None

    def direction(self, callbacks: Iterable[Callback]) -> bool:
        """Whether larger is better for the monitored quantity, from the metric that makes it.

        Raises:
            InvalidArgument: ``higher_better`` contradicts the metric's own, or nothing says
                which way a quantity no metric callback makes is better.
        """
        if self.monitor in LOSSES:
            derived: bool | None = False
        else:
            metrics = [cb for cb in callbacks if isinstance(cb, EvalMetric)]
            derived = next((m.higher_better for m in metrics if m.name == self.monitor), None)
        given = self.higher_better_given
        if derived is None and given is None:
            raise InvalidArgument(
                f"{type(self).__name__} monitors {self.monitor!r}, which no metric callback of "
                "this fit computes: add that metric to cbs, or pass higher_better."
            )
        if derived is not None and given not in (None, derived):
            raise InvalidArgument(
                f"{type(self).__name__}(higher_better={given}) contradicts "
                f"{self.monitor!r}, for which {'higher' if derived else 'lower'} is better; "
                "leave higher_better out."
            )
        return derived if derived is not None else bool(given)

    def on_epoch_end(self) -> None:
        """Check the quantity at the end of the epoch that computes it."""
        fp = self.model.fit_params
        if fp.state != ("train" if self.monitor == "trn_loss" else "valid"):
            return
        values = fp.history.get(self.monitor)
        if not values:
            known = ", ".join(sorted(fp.history)) or "none yet"
            raise InvalidArgument(
                f"{type(self).__name__} monitors {self.monitor!r}, which this fit does not "
                f"record; it records: {known}. Add the metric's callback to cbs."
            )
        value = values[-1]
        if self.is_better(value):
            self.best, self.best_epoch = value, fp.epoch
            self.on_improvement()
        else:
            self.on_no_improvement()

    def is_better(self, value: float) -> bool:
        """Whether ``value`` beats the best so far (NaN never does)."""
        if math.isnan(value):
            return False
        if self.best is None:
            return True
        return value > self.best if self.higher_better else value < self.best

    def on_improvement(self) -> None:
        """The quantity just reached a new best."""

    def on_no_improvement(self) -> None:
        """The quantity did not improve this epoch."""
