"""MetastoreLogger: each epoch's losses and metrics written to a Run of the metastore.

The dashboard shows them while the model trains. A Run belongs to a Queue's Job (the metastore requires both), so the logger writes to one of
two places:

- ``MetastoreLogger(run_id)``: the EpochMetrics of that Run (e.g. ``queue.runs[0].id``).
  Epochs continue the Run's history, so a second fit on the same Run adds epochs after the
  first one's. Writes are batched (at most about one a second) and flushed when training
  ends, as a Queue's own runs write them.
- ``MetastoreLogger()``: the run that is training this code, when a Queue's Algorithm
  calls ``Model.fit`` inside its ``fn_train``: the epochs go where that run collects its
  history (``assay.train.live``). Outside such a run there is nowhere to write, and
  training refuses to begin.

Each epoch is written as ``{"loss": trn_loss, "val_loss": val_loss, "val_<metric>": ...}``,
the names the rest of assay (``Run.history()``, the dashboard) uses.
"""

from __future__ import annotations

from typing import Any

from assay.errors import InvalidArgument
from assay.nn.callbacks.base import Callback


class MetastoreLogger(Callback):
    """Writes each epoch's losses (and metrics) to a Run of the metastore.

    Args:
        run_id: The Run to write to; None writes to the run training this code, if any.
    """

    def __init__(self, run_id: int | None = None) -> None:
        if run_id is not None and (isinstance(run_id, bool) or not isinstance(run_id, int)):
            raise InvalidArgument(f"run_id must be a Run's id (int) or None; got {run_id!r}.")
        self.run_id = run_id
        self._recorder: Any = None
        self._first_epoch = 0
        self.written: list[dict[str, float]] = []

    def on_train_begin(self) -> None:
        """Find where to write: the Run's next epoch number, or the live run's hook."""
        from assay.train.live import is_listening

        self.written = []
        if self.run_id is None:
            if not is_listening():
                raise InvalidArgument(
                    "MetastoreLogger() without run_id writes to the Queue run that is "
                    "training this code, and none is; pass run_id=<a Run's id> "
                    "(e.g. queue.runs[0].id)."
                )
            return
        from sqlalchemy import func, select

        from assay.orm.predictor import EpochMetrics
        from assay.orm.run import Run
        from assay.search.executors.run import EpochRecorder
        from assay.store import reading

        Run.get_by_id(self.run_id)  # NotFound before anything trains
        with reading() as db:
            last = db.scalar(
                select(func.max(EpochMetrics.epoch)).where(EpochMetrics.run_id == self.run_id)
            )
        self._first_epoch = 0 if last is None else last + 1
        self._recorder = EpochRecorder(self.run_id)

    def on_epoch_end(self) -> None:
        """After the last part of an epoch (validation when there is one), write it."""
        fp = self.model.fit_params
        if fp.state == "train" and fp.val_idx is not None:
            return
        metrics = {"loss": fp.trn_loss}
        if fp.val_idx is not None:
            metrics["val_loss"] = fp.val_loss
            metrics.update({f"val_{name}": value for name, value in fp.metrics.items()})
        self.written.append(metrics)
        if self._recorder is None:
            from assay.train.live import report_epoch

            report_epoch(fp.epoch, metrics)
        else:
            self._recorder(self._first_epoch + fp.epoch, metrics)

    def on_train_end(self) -> None:
        """Write what is still pending."""
        if self._recorder is not None:
            self._recorder.flush()
