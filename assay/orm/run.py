"""Job and Run (section 12): the recipe for a model, and each training run of it.

A Job is one hyperparameter combination on one fold; each of its ``repeat_count`` runs has a
row of its own with a status, so a queue that was interrupted (even killed) resumes where it
stopped and never trains a finished run twice. A process takes a run with ``Run.claim`` (one
conditional UPDATE) and gives it back with ``Run.release``.
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, and_, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from assay.orm.base import BaseModel, UtcDateTime, related, utcnow
from assay.store import transaction
from assay.store.liveness import heartbeat_is_fresh, process_is_alive

if TYPE_CHECKING:
    from assay.orm.algorithm import Hyperparamcombo
    from assay.orm.predictor import EpochMetrics, Predictor
    from assay.orm.queue import Queue
    from assay.orm.splitset import Fold

STATUSES = ("queued", "running", "succeeded", "failed", "stopped", "abandoned")
#: "abandoned": a failed run of a search trial that was scored as failed; the search has told
#: its sampler so, and no worker takes it again.
#: The statuses a worker may take a run from (besides "running" in a dead process).
CLAIMABLE = ("queued", "failed", "stopped")


class Job(BaseModel):
    """One hyperparameter combination on one fold: the recipe for ``repeat_count`` models."""

    __tablename__ = "job"

    repeat_count: Mapped[int]
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), index=True)
    hyperparamcombo_id: Mapped[int | None] = mapped_column(
        ForeignKey("hyperparamcombo.id", ondelete="CASCADE"), index=True
    )
    fold_id: Mapped[int | None] = mapped_column(
        ForeignKey("fold.id", ondelete="CASCADE"), index=True
    )

    queue_: Mapped[Queue] = relationship("Queue", viewonly=True)
    hyperparamcombo_: Mapped[Hyperparamcombo | None] = relationship(
        "Hyperparamcombo", viewonly=True
    )
    fold_: Mapped[Fold | None] = relationship("Fold", viewonly=True)
    predictors_: Mapped[list[Predictor]] = relationship(
        "Predictor", viewonly=True, order_by="Predictor.id"
    )
    runs_: Mapped[list[Run]] = relationship("Run", viewonly=True, order_by="Run.id")

    @property
    def queue(self) -> Queue:
        """The Queue that made this Job."""
        return related(self, "queue_")

    @property
    def hyperparamcombo(self) -> Hyperparamcombo | None:
        """The hyperparameters this Job trains with, if any."""
        return related(self, "hyperparamcombo_")

    @property
    def fold(self) -> Fold | None:
        """The Fold whose samples this Job uses, if any."""
        return related(self, "fold_")

    @property
    def predictors(self) -> list[Predictor]:
        """The models this Job has trained."""
        return related(self, "predictors_")

    @property
    def runs(self) -> list[Run]:
        """The runs of this Job, one per repeat."""
        return related(self, "runs_")

    def hyperparameters(self) -> dict[str, Any]:
        """The ``**hp`` this Job passes to the Algorithm's functions."""
        combo = self.hyperparamcombo
        return {} if combo is None else dict(combo.hyperparameters)


class Run(BaseModel):
    """One training run (a Job's repeat): its status and message, readable while it runs."""

    __tablename__ = "run"
    __table_args__ = (UniqueConstraint("job_id", "repeat_index"),)

    repeat_index: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    message: Mapped[str | None] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    time_started: Mapped[Any | None] = mapped_column(UtcDateTime)
    time_ended: Mapped[Any | None] = mapped_column(UtcDateTime)
    #: When the process training this run last said it was alive (see ``store.liveness``).
    heartbeat: Mapped[Any | None] = mapped_column(UtcDateTime)
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
    #: Key-value pairs the training code reported with ``assay.track.performance``.
    performance: Mapped[dict | None] = mapped_column(JSON)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)

    job_: Mapped[Job] = relationship("Job", viewonly=True)
    epochs_: Mapped[list[EpochMetrics]] = relationship(
        "EpochMetrics", viewonly=True, order_by="EpochMetrics.epoch"
    )

    @property
    def job(self) -> Job:
        """The Job this run repeats."""
        return related(self, "job_")

    @property
    def epochs(self) -> list[EpochMetrics]:
        """The live history of this run: one row per epoch so far."""
        return related(self, "epochs_")

    def history(self) -> dict[str, list[float]]:
        """The metrics recorded so far, as a Keras-style history dict."""
        history: dict[str, list[float]] = {}
        for row in self.epochs:
            for key, value in row.metrics.items():
                history.setdefault(key, []).append(value)
        return history

    def is_live(self) -> bool:
        """Whether this run is running in a process that is still alive.

        On this host, by its pid: a zombie (killed, not yet reaped by its parent) counts as
        dead, it trains nothing. On another host, by its heartbeat: alive while that is
        younger than ``ASSAY_HEARTBEAT_TIMEOUT`` (see ``store.liveness``).
        """
        if self.status != "running" or self.pid is None:
            return False
        if self.host != socket.gethostname():
            return heartbeat_is_fresh(self.heartbeat)
        if self.pid == os.getpid():
            return False
        return process_is_alive(self.pid)

    def is_claimable(self) -> bool:
        """Whether a worker may take this run: not succeeded, and no live process holds it."""
        return self.status in CLAIMABLE or (self.status == "running" and not self.is_live())

    def claim(self) -> bool:
        """Take this run for this process; True only for the one worker that wins it.

        One conditional UPDATE: it sets the run running (host, pid, time started, first
        heartbeat) only where the row is still as this object last read it and was claimable
        then, so of several workers that try at once exactly one changes the row, also for a
        run whose holder died. The loser trains nothing.
        """
        if not self.is_claimable():
            return False
        now = utcnow()
        values: dict[str, Any] = {
            "status": "running",
            "message": None,
            "traceback": None,
            "time_started": now,
            "time_ended": None,
            "heartbeat": now,
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }
        unchanged = and_(
            Run.status == self.status,
            Run.host == self.host,
            Run.pid == self.pid,
            Run.time_started == self.time_started,
            # a holder that beat since this object was read is alive after all
            Run.heartbeat == self.heartbeat,
        )
        with transaction() as db:
            won = db.execute(update(Run).where(Run.id == self.id, unchanged).values(**values))
        if won.rowcount != 1:
            return False
        for key, value in values.items():
            setattr(self, key, value)
        return True

    def held_here(self) -> ColumnElement[bool]:
        """The condition that this run's row is held (running) by this process."""
        return and_(
            Run.id == self.id,
            Run.status == "running",
            Run.host == socket.gethostname(),
            Run.pid == os.getpid(),
        )

    def release(
        self, status: str, message: str | None = None, traceback: str | None = None
    ) -> bool:
        """End this process's hold on the run with ``status``; False if it no longer held it.

        Args:
            status: The run's status from now on, e.g. ``"succeeded"`` or ``"failed"``.
            message: A one-line reason, for a failed or stopped run.
            traceback: The traceback of the error that failed the run.
        """
        values = {
            "status": status,
            "message": message,
            "traceback": traceback,
            "time_ended": utcnow(),
        }
        with transaction() as db:
            result = db.execute(update(Run).where(self.held_here()).values(**values))
        if result.rowcount != 1:
            return False
        for key, value in values.items():
            setattr(self, key, value)
        return True
