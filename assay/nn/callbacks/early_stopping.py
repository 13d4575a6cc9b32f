"""EarlyStopping and SaveBest: stop when the monitored quantity stalls; keep its best state."""

from __future__ import annotations

from pathlib import Path

from assay.errors import InvalidArgument
from assay.nn.callbacks.monitor import Monitor


class EarlyStopping(Monitor):
    """Stop training once ``monitor`` has not improved for ``patience`` epochs in a row.

    Args:
        patience: Epochs without improvement to allow.
        monitor: "val_loss" (default), "trn_loss", or a metric callback's name.
        higher_better: Whether larger values are better; by default read from what is
            monitored (see ``Monitor``).
    """

    def __init__(
        self, patience: int, monitor: str = "val_loss", higher_better: bool | None = None
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise InvalidArgument(f"patience must be a positive int (epochs); got {patience!r}.")
        super().__init__(monitor, higher_better)
        self.patience = patience
        self.epochs_without_improvement = 0
        self.stopped_epoch: int | None = None

    def on_train_begin(self) -> None:
        """Reset the count of epochs without improvement."""
        super().on_train_begin()
        self.epochs_without_improvement = 0
        self.stopped_epoch = None

    def on_improvement(self) -> None:
        """Reset the count."""
        self.epochs_without_improvement = 0

    def on_no_improvement(self) -> None:
        """Count the epoch; stop training when the count reaches ``patience``."""
        self.epochs_without_improvement += 1
        if self.epochs_without_improvement >= self.patience:
            fp = self.model.fit_params
            fp.stop = True
            self.stopped_epoch = fp.epoch


class SaveBest(Monitor):
    """Save the Model each time ``monitor`` improves; reload that best state when training ends.

    Args:
        path: The file the best Model is saved to (``Model.save``).
        monitor: "val_loss" (default), "trn_loss", or a metric callback's name.
        higher_better: Whether larger values are better; by default read from what is
            monitored (see ``Monitor``).
        reload: Load the best state back into the Model at the end of training, so the
            Model ends as it was at its best epoch rather than its last.
    """

    def __init__(
        self,
        path: str | Path,
        monitor: str = "val_loss",
        higher_better: bool | None = None,
        reload: bool = True,
    ) -> None:
        super().__init__(monitor, higher_better)
        self.path = Path(path)
        self.reload = reload

    def on_improvement(self) -> None:
        """Save the Model as it is now."""
        self.model.save(self.path)

    def on_train_end(self) -> None:
        """Load the best state back, if asked to and one was saved."""
        if self.reload and self.best_epoch is not None:
            self.model.load(self.path)
