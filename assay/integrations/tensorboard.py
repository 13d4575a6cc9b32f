"""``--integration tensorboard``: event files TensorBoard reads, one folder per trained run.

Under ``log_dir`` (default ``ASSAY_HOME/tensorboard``), ``run-<id>`` holds each assay run's
epochs as scalars (``loss``, ``val_loss``, ... at their epoch), its hyperparameters as text
and, once it is stored, as TensorBoard's HParams with the final metric of every split
(``test/accuracy``). ``tensorboard --logdir <log_dir>`` shows them side by side. Written by
PyTorch's ``SummaryWriter`` (needs the ``torch`` and ``integrations`` extras), imported when
the integration is built.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import Any

from assay.errors import InvalidArgument
from assay.integrations.base import Integration


class TensorboardIntegration(Integration):
    """Writes each trained run's epochs and results as TensorBoard event files.

    Args:
        log_dir: The folder of the event files; None for ``ASSAY_HOME/tensorboard``.
    """

    def __init__(self, log_dir: str | Path | None = None) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as exc:
            raise InvalidArgument(
                "integration 'tensorboard' needs PyTorch and TensorBoard; "
                "pip install 'assay[torch,integrations]'."
            ) from exc
        if log_dir is None:
            from assay import config

            log_dir = config.assay_home() / "tensorboard"
        self.log_dir = Path(log_dir)
        self._writer_class = SummaryWriter
        self.writers: dict[int, Any] = {}
        self.hyperparameters: dict[int, dict[str, Any]] = {}

    def run_dir(self, run_id: int) -> Path:
        """The folder of one assay run's event files."""
        return self.log_dir / f"run-{run_id}"

    def train_init(self, **kwargs: Any) -> None:
        """Open the run's event file and write its hyperparameters as text."""
        run_id = kwargs["run_id"]
        writer = self._writer_class(log_dir=str(self.run_dir(run_id)))
        self.writers[run_id] = writer
        hyperparameters = {
            **(kwargs.get("hyperparameters") or {}),
            "library": kwargs.get("library"),
            "analysis_type": kwargs.get("analysis_type"),
        }
        self.hyperparameters[run_id] = hyperparameters
        writer.add_text("hyperparameters", json.dumps(hyperparameters, default=str, indent=1))

    def train_epoch_end(self, **kwargs: Any) -> None:
        """Write an epoch's metrics as scalars at its step."""
        writer = self.writers.get(kwargs["run_id"])
        if writer is None:
            return
        for name, value in kwargs["metrics"].items():
            writer.add_scalar(name, float(value), global_step=kwargs["epoch"])

    def train_save(self, **kwargs: Any) -> None:
        """Write the final metrics of every split, with the hyperparameters, as HParams."""
        run_id = kwargs["run_id"]
        writer = self.writers.get(run_id)
        if writer is None:
            return
        metrics = {
            f"{split}/{name}": float(value)
            for split, values in (kwargs.get("metrics") or {}).items()
            for name, value in (values or {}).items()
            if isinstance(value, numbers.Real) and not isinstance(value, bool)
        }
        hparams = {
            key: value if isinstance(value, (int, float, str, bool)) else str(value)
            for key, value in self.hyperparameters.get(run_id, {}).items()
        }
        writer.add_hparams(hparams, metrics, run_name=".")

    def train_end(self, **kwargs: Any) -> None:
        """Close the run's event file."""
        writer = self.writers.pop(kwargs["run_id"], None)
        self.hyperparameters.pop(kwargs["run_id"], None)
        if writer is not None:
            writer.close()

    def close(self) -> None:
        """Close event files left open."""
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()
