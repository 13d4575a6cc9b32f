"""OneCycle: the one-cycle learning-rate (and momentum) schedule, set batch by batch.

The learning rate rises from ``lr_max / div`` to ``lr_max`` over the first ``pct_start`` of
training, then falls along a cosine to ``lr_max / final_div``; the momentum (Adam's first
beta, SGD's momentum) moves the other way between ``moms``. Where training is in the cycle
is counted in training folds: ``(folds done + batch / batches in fold) / (n_epochs *
training folds)``, so no fold needs reading in advance to count the batches.
"""

from __future__ import annotations

import math

from assay.errors import InvalidArgument
from assay.nn.callbacks.base import Callback


def cosine(start: float, end: float, fraction: float) -> float:
    """From ``start`` (fraction 0) to ``end`` (fraction 1) along half a cosine."""
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


class OneCycle(Callback):
    """Sets the optimiser's learning rate and momentum before each training batch.

    Args:
        lr_max: The peak learning rate.
        pct_start: The part of training spent warming up (0 to 1).
        div: The starting rate is ``lr_max / div``.
        final_div: The final rate is ``lr_max / final_div``.
        moms: The momentum's (high, low) values; None leaves the momentum alone.
    """

    def __init__(
        self,
        lr_max: float,
        pct_start: float = 0.25,
        div: float = 25.0,
        final_div: float = 1e4,
        moms: tuple[float, float] | None = (0.95, 0.85),
    ) -> None:
        if not isinstance(lr_max, int | float) or not lr_max > 0:
            raise InvalidArgument(f"lr_max must be a positive number; got {lr_max!r}.")
        if not isinstance(pct_start, int | float) or not 0 <= pct_start < 1:
            raise InvalidArgument(f"pct_start must be in [0, 1); got {pct_start!r}.")
        for name, value in (("div", div), ("final_div", final_div)):
            if not isinstance(value, int | float) or not value >= 1:
                raise InvalidArgument(f"{name} must be a number >= 1; got {value!r}.")
        if moms is not None and (len(moms) != 2 or not all(0 <= m < 1 for m in moms)):
            raise InvalidArgument(f"moms must be a (high, low) pair in [0, 1); got {moms!r}.")
        self.lr_max = float(lr_max)
        self.pct_start = float(pct_start)
        self.lr_start = self.lr_max / div
        self.lr_end = self.lr_max / final_div
        self.moms = moms
        self._batch = 0
        self.lrs: list[float] = []

    def on_train_begin(self) -> None:
        """Count the cycle's length in training folds."""
        fp = self.model.fit_params
        self._total = fp.n_epochs * len(fp.trn_idxs)
        self.lrs = []

    def on_fold_begin(self) -> None:
        """Count batches from the start of the fold."""
        self._batch = 0

    def on_batch_begin(self) -> None:
        """Set the rate and momentum for this point of the cycle."""
        fp = self.model.fit_params
        if fp.state != "train":
            return
        progress = min((fp.sub_epoch + self._batch / len(fp.by)) / self._total, 1.0)
        self._batch += 1
        self.set(*self.at(progress))

    def at(self, progress: float) -> tuple[float, float | None]:
        """The learning rate and momentum at ``progress`` (0 to 1) through training."""
        high, low = self.moms if self.moms is not None else (None, None)
        if progress < self.pct_start:
            fraction = progress / self.pct_start
            mom = None if high is None else cosine(high, low, fraction)
            return cosine(self.lr_start, self.lr_max, fraction), mom
        fraction = (progress - self.pct_start) / (1 - self.pct_start)
        mom = None if high is None else cosine(low, high, fraction)
        return cosine(self.lr_max, self.lr_end, fraction), mom

    def set(self, lr: float, mom: float | None) -> None:
        """Put ``lr`` (and ``mom``) into every parameter group of the optimiser."""
        for group in self.model.opt.param_groups:
            group["lr"] = lr
            if mom is None:
                continue
            if "betas" in group:
                group["betas"] = (mom, group["betas"][1])
            elif group.get("momentum", 0) > 0:
                group["momentum"] = mom
        self.lrs.append(lr)
