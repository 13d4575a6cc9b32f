"""Tails: the last block, from the body's width to the targets', with the output activation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models.blocks.base import Block
from assay.nn.models.blocks.layers import check_positive
from assay.nn.models.initialisations import LookupInit
from assay.nn.models.objectives import (
    CLASSIFICATION,
    MULTICLASS,
    MULTILABEL,
    REGRESSION,
    canonical_objective,
    check_n_out,
)

# What a tail's outputs are; the builder chooses the automatic loss from it, and
# ``BlockModel.to_predictions`` turns it into what users read.
PROBABILITY = "probability"  # sigmoid outputs in (0, 1)
LOG_PROBABILITY = "log_probability"  # log-softmax over the classes
LOGIT = "logit"  # raw scores; sigmoid or softmax give the probabilities
VALUE = "value"  # regression outputs


class Tail(Block):
    """Base of tails: input and output widths, the objective, and what the outputs are.

    Args:
        n_in: Width of the body's output.
        n_out: Number of outputs (targets, labels or classes).
        objective: The learning objective (see ``objectives``).
        lookup_init: Weight-initialisation lookup or its name.
        freeze: Start with the tail's parameters untrainable.
    """

    output_kind = VALUE

    def __init__(
        self,
        n_in: int,
        n_out: int,
        objective: str,
        lookup_init: str | LookupInit = "normal",
        freeze: bool = False,
    ):
        super().__init__(lookup_init=lookup_init, freeze=freeze)
        self.n_in = check_positive("n_in", n_in)
        self.objective = canonical_objective(objective)
        check_n_out(self.objective, n_out)
        self.n_out = n_out

    @property
    def out_sz(self) -> int:
        """The number of outputs."""
        return self.n_out


class ClassRegMulti(Tail):
    """A dense layer to ``n_out`` outputs and the activation the objective calls for.

    - ``regression``: linear outputs; with ``y_range`` a sigmoid rescaled to
      ``y_min + (y_max - y_min) * sigmoid(z)``, so targets need no standardising.
    - ``classification`` and ``multilabel``: a sigmoid per output (probabilities).
    - ``multiclass``: log-softmax over the classes (log-probabilities).

    With ``logits=True`` a classification tail leaves its outputs raw, and the automatic
    loss becomes ``BCEWithLogitsLoss`` or ``CrossEntropyLoss``, which are more stable.

    Args:
        n_in: Width of the body's output.
        n_out: Number of outputs (targets, labels or classes).
        objective: The learning objective (see ``objectives``).
        y_range: Regression only: ``(min, max)`` for all outputs, or one pair per output.
        bias_init: Starting bias of the outputs: one value, or one per output (default 0).
        logits: Classification only: leave the outputs raw.
        lookup_init: Weight-initialisation lookup or its name.
        freeze: Start with the tail's parameters untrainable.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        objective: str,
        y_range: Sequence[float] | Sequence[Sequence[float]] | np.ndarray | None = None,
        bias_init: float | Sequence[float] | None = None,
        logits: bool = False,
        lookup_init: str | LookupInit = "normal",
        freeze: bool = False,
    ):
        super().__init__(n_in, n_out, objective, lookup_init, freeze)
        self.logits = bool(logits)
        if self.logits and self.objective == REGRESSION:
            raise InvalidArgument("logits applies to classification objectives, not regression.")
        if y_range is not None and self.objective != REGRESSION:
            raise InvalidArgument(
                f"y_range applies to regression; the objective is {self.objective!r}."
            )
        self.y_range = None if y_range is None else self._check_y_range(y_range)
        if self.y_range is not None:
            y_min = torch.tensor(self.y_range[:, 0], dtype=torch.float32)
            y_span = torch.tensor(self.y_range[:, 1] - self.y_range[:, 0], dtype=torch.float32)
            self.register_buffer("y_min", y_min, persistent=False)
            self.register_buffer("y_span", y_span, persistent=False)
        self.dense = nn.Linear(self.n_in, self.n_out)
        self.output_kind, act, init_act = self._output()
        self.act = act
        self.lookup_init(init_act, self.n_in, self.n_out)(self.dense.weight)
        with torch.no_grad():
            self.dense.bias.copy_(self._bias(bias_init))
        self._finish()

    def _output(self) -> tuple[str, nn.Module, str]:
        if self.objective == REGRESSION:
            if self.y_range is None:
                return VALUE, nn.Identity(), "linear"
            return VALUE, nn.Sigmoid(), "sigmoid"
        if self.logits:
            return LOGIT, nn.Identity(), "linear"
        if self.objective in (CLASSIFICATION, MULTILABEL):
            return PROBABILITY, nn.Sigmoid(), "sigmoid"
        assert self.objective == MULTICLASS
        return LOG_PROBABILITY, nn.LogSoftmax(dim=1), "softmax"

    def _check_y_range(self, y_range: object) -> np.ndarray:
        try:
            pairs = np.asarray(y_range, dtype=np.float64)
        except (TypeError, ValueError):
            pairs = np.empty(0)
        if pairs.shape == (2,):
            pairs = np.tile(pairs, (self.n_out, 1))
        if pairs.shape != (self.n_out, 2) or not np.all(np.isfinite(pairs)):
            raise InvalidArgument(
                f"y_range must be (min, max) or {self.n_out} such pairs, finite; got {y_range!r}."
            )
        if np.any(pairs[:, 1] <= pairs[:, 0]):
            raise InvalidArgument(f"y_range must have max > min for every output; got {y_range!r}.")
        return pairs

    def _bias(self, bias_init: float | Sequence[float] | None) -> torch.Tensor:
        if bias_init is None:
            return torch.zeros(self.n_out)
        try:
            bias = torch.as_tensor(bias_init, dtype=torch.float32).flatten()
        except (TypeError, ValueError, RuntimeError):
            bias = torch.empty(0)
        if bias.numel() == 1:
            bias = bias.repeat(self.n_out)
        if bias.numel() != self.n_out:
            raise InvalidArgument(
                f"bias_init must be one number or {self.n_out} numbers; got {bias_init!r}."
            )
        return bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Dense layer, output activation and, with ``y_range``, rescaling."""
        out = self.act(self.dense(x))
        if self.y_range is not None:
            out = self.y_min + self.y_span * out
        return out
