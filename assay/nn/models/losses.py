"""The loss a builder hands out: chosen from the objective, and able to weight each sample.

``get_loss(objective, output_kind, loss)`` returns a ``WeightedLoss``. Call it as
``loss(y_pred, y)`` for the mean loss of a batch, or ``loss(y_pred, y, w)`` with one weight
per sample for ``mean(w * per-sample loss)``: the unbiased estimate of the weighted loss
over the data (normalise weights to a mean of about 1 so the learning rate keeps its
meaning). The loss underneath is built with ``reduction="none"``, which is what lets it
weight samples; a loss that always reduces to one number still works unweighted.

Targets are shaped as the loss expects: one column of class indices (floats, as fold files
store them) becomes a vector of integers for NLL and cross entropy, and a target of as many
values as the outputs takes their shape, so that ``(batch,)`` against ``(batch, 1)`` never
broadcasts to ``(batch, batch)``.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models.blocks.tails import LOG_PROBABILITY, LOGIT, PROBABILITY, VALUE
from assay.nn.models.objectives import MULTICLASS, REGRESSION

LOSSES: dict[str, type[nn.Module]] = {
    "mse": nn.MSELoss,
    "l1": nn.L1Loss,
    "mae": nn.L1Loss,
    "huber": nn.HuberLoss,
    "smooth_l1": nn.SmoothL1Loss,
    "bce": nn.BCELoss,
    "bce_with_logits": nn.BCEWithLogitsLoss,
    "cross_entropy": nn.CrossEntropyLoss,
    "nll": nn.NLLLoss,
}


def auto_loss(objective: str, output_kind: str) -> type[nn.Module]:
    """The loss class that fits an objective and what its tail outputs.

    MSE for regression; BCE on probabilities and BCE-with-logits on logits for binary and
    multi-label classification; NLL on log-probabilities and cross entropy on logits for
    multi-class classification.

    Raises:
        InvalidArgument: When no loss fits the pair (e.g. a softmax-probability multiclass tail).
    """
    table = {
        (REGRESSION, VALUE): nn.MSELoss,
        (MULTICLASS, LOG_PROBABILITY): nn.NLLLoss,
        (MULTICLASS, LOGIT): nn.CrossEntropyLoss,
    }
    if objective != MULTICLASS and objective != REGRESSION:
        table |= {(objective, PROBABILITY): nn.BCELoss, (objective, LOGIT): nn.BCEWithLogitsLoss}
    if (objective, output_kind) not in table:
        raise InvalidArgument(
            f"loss='auto' has no loss for a {objective!r} tail whose outputs are "
            f"{output_kind!r}; pass loss= explicitly."
        )
    return table[(objective, output_kind)]


def check_loss(loss: Any) -> Any:
    """``loss`` if it is ``"auto"``, a name in LOSSES, a loss class, module or function.

    A function takes ``(y_pred, y)``; a class (or ``functools.partial`` of one) is built
    with ``reduction="none"`` where it accepts it.

    Raises:
        InvalidArgument: For anything else.
    """
    if isinstance(loss, str):
        if loss == "auto" or loss.lower() in LOSSES:
            return loss if loss == "auto" else loss.lower()
    elif callable(loss):
        return loss
    known = ", ".join(repr(name) for name in ["auto", *LOSSES])
    raise InvalidArgument(
        f"loss must be one of {known}, a loss class (or functools.partial of one), a loss "
        f"module or a function (y_pred, y) -> loss; got {loss!r}."
    )


def get_loss(objective: str, output_kind: str, loss: Any = "auto") -> WeightedLoss:
    """A fresh ``WeightedLoss`` for the objective, the tail's output kind and the ``loss`` asked."""
    loss = check_loss(loss)
    if loss == "auto":
        loss = auto_loss(objective, output_kind)
    elif isinstance(loss, str):
        loss = LOSSES[loss]
    if isinstance(loss, nn.Module):
        base = copy.deepcopy(loss)
        if hasattr(base, "reduction"):
            base.reduction = "none"
    elif _is_class(loss):
        try:
            base = loss(reduction="none")
        except TypeError:
            base = loss()
    else:
        base = loss  # a function (y_pred, y) -> loss
    return WeightedLoss(base, objective)


def _is_class(loss: Any) -> bool:
    while isinstance(loss, functools.partial):
        loss = loss.func
    return isinstance(loss, type)


class WeightedLoss(nn.Module):
    """A loss that reduces per sample, then to the (optionally weighted) mean of the batch.

    Args:
        base: The loss module, built with ``reduction="none"`` where it has one.
        objective: The canonical objective, for shaping targets.
    """

    def __init__(self, base: nn.Module | Any, objective: str):
        super().__init__()
        self.base, self.objective = base, objective
        self.class_indices = isinstance(base, (nn.NLLLoss, nn.CrossEntropyLoss))

    def targets(self, y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """``y`` shaped (and typed) as the loss expects next to ``y_pred``."""
        if self.class_indices:
            if y.dim() == 2 and y.shape[1] == y_pred.shape[1] > 1:
                if isinstance(self.base, nn.CrossEntropyLoss) and y.is_floating_point():
                    return y.to(y_pred.dtype)  # one-hot or soft class probabilities
                return y.argmax(1)
            return y.reshape(-1).long()
        y = y.to(y_pred.dtype)
        if y.shape != y_pred.shape and y.numel() == y_pred.numel():
            y = y.reshape(y_pred.shape)
        return y

    def forward(
        self, y_pred: torch.Tensor, y: torch.Tensor, weight: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The mean loss of the batch; ``mean(weight * per-sample loss)`` with weights."""
        per = self.base(y_pred, self.targets(y_pred, y))
        if per.dim() == 0:
            if weight is not None:
                raise InvalidArgument(
                    f"weights need a loss that gives one value per sample; "
                    f"{type(self.base).__name__} reduces to one number (give it "
                    "reduction='none')."
                )
            return per
        if per.dim() > 1:
            per = per.reshape(per.shape[0], -1).mean(1)
        if weight is None:
            return per.mean()
        weight = weight.reshape(-1).to(per.dtype)
        if weight.numel() != per.shape[0]:
            raise InvalidArgument(
                f"weight must have one value per sample ({per.shape[0]}); got {weight.numel()}."
            )
        return (per * weight).mean()
