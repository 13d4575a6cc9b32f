"""FitParams: the state of a Model while it trains or predicts, shared with its callbacks.

The training loop writes the batch (``x``, ``y``, ``w``), the predictions (``y_pred``) and
the loss (``loss_val``) here before it calls each point, and reads them back after, so a
callback changes what happens next by setting them. ``stop`` ends training after the
current fold; ``state`` says whether the loop is training ("train"), validating ("valid")
or predicting ("test").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assay.nn.batch_yielder import BatchYielder
    from assay.nn.callbacks.base import CallbackList

STATES = ("train", "valid", "test")


@dataclass(eq=False)
class FitParams:
    """What a Model's loop is doing now; callbacks read and change it.

    Attributes:
        cbs: The callbacks of this fit or prediction.
        fy: The data: a FoldYielder, or None when predicting arrays.
        bs: Rows per batch.
        n_epochs: Epochs asked for (0 when predicting).
        trn_idxs: The training folds, in this epoch's (shuffled) order.
        val_idx: The validation fold, or None.
        train_on_weights: Whether the training loss is weighted by the fold's weights.
        state: "train", "valid" or "test".
        epoch: The epoch under way (0-based).
        sub_epoch: How many training folds this fit has finished.
        fold_idx: The fold being read now.
        by: The BatchYielder of that fold.
        x: The batch's inputs (a tensor, or a tuple of tensors).
        y: The batch's targets (None when predicting).
        w: The batch's weights (None without weights, or when not weighting).
        y_pred: The model's outputs for ``x``.
        loss_val: The batch's loss (a tensor with a graph while training); None at prediction.
        stop: Set it to end training after the current fold.
        trn_loss: The mean training loss of the last training epoch.
        val_loss: The mean validation loss of the last validation epoch.
        metrics: The last value of each metric callback, by name.
        history: ``trn_loss``, ``val_loss`` and each metric, one value per epoch so far.
    """

    cbs: CallbackList
    fy: Any = None
    bs: int | None = None
    n_epochs: int = 0
    trn_idxs: list[int] = field(default_factory=list)
    val_idx: int | None = None
    train_on_weights: bool = True
    state: str = "train"
    epoch: int = 0
    sub_epoch: int = 0
    fold_idx: int | None = None
    by: BatchYielder | None = None
    x: Any = None
    y: Any = None
    w: Any = None
    y_pred: Any = None
    loss_val: Any = None
    stop: bool = False
    trn_loss: float | None = None
    val_loss: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)

    @property
    def data(self) -> Any:
        """The data being read: the FoldYielder (``fy``)."""
        return self.fy

    def record(self, name: str, value: float) -> None:
        """Append ``value`` to the history of ``name``."""
        self.history.setdefault(name, []).append(value)

    def release_batch(self) -> None:
        """Drop the last batch's tensors and the yielder, so the fold's memory can go."""
        self.x = self.y = self.w = self.y_pred = self.loss_val = None
        self.by = None
