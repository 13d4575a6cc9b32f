"""The rows of a hyperparameter search: its settings (QueueSearch) and each trial (Trial).

A Queue made with ``search=Search(...)`` has one QueueSearch row; its Jobs are made trial by
trial as the search runs (see ``assay.search.loop``). Each Trial is one point the sampler
chose: its Hyperparamcombo (whose Jobs train it, one per fold), its score once every run of
it has ended, and the metrics of every split. The search's Hyperparamset holds the trials'
combinations, so the Queue's tables (``metrics_df``, ``metricsAggregate_df``) show them as
they show a grid's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cloudpickle
from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.orm.base import BaseModel, related

if TYPE_CHECKING:
    from assay.orm.algorithm import Hyperparamcombo
    from assay.search.samplers import Sampler

#: A trial is "running" from when its Jobs are made until every run of it has ended; then
#: "complete" (scored) or "failed" (a run failed, or the metric is undefined: no score).
TRIAL_STATUSES = ("running", "complete", "failed")


class QueueSearch(BaseModel):
    """How a Queue's trials are chosen and scored: a ``Search``, as recorded."""

    __tablename__ = "queuesearch"

    queue_id: Mapped[int] = mapped_column(
        ForeignKey("queue.id", ondelete="CASCADE"), index=True, unique=True
    )
    #: The registered name of the sampler, or its class's name.
    sampler: Mapped[str] = mapped_column(String(255))
    #: The sampler's options (the seed drawn included), for a sampler given by name or class.
    sampler_options: Mapped[dict] = mapped_column(JSON)
    #: The sampler's class (or the instance given, before any sample), pickled by value.
    sampler_factory: Mapped[bytes] = mapped_column(LargeBinary)
    parameters: Mapped[dict] = mapped_column(JSON)
    goal: Mapped[str] = mapped_column(String(16))
    metric: Mapped[str] = mapped_column(String(64))
    #: As given: train, validation or test (``split_name`` is the split it reads).
    split: Mapped[str] = mapped_column(String(16))
    #: The split name the score is read on, e.g. ``fold_validation`` with folds.
    split_name: Mapped[str] = mapped_column(String(32))
    n_trials: Mapped[int | None]
    #: The JSON file the results are written to when the loop ends (on the host that ran it).
    results_path: Mapped[str] = mapped_column(Text)

    trials_: Mapped[list[Trial]] = relationship("Trial", viewonly=True, order_by="Trial.number")

    @property
    def trials(self) -> list[Trial]:
        """Every trial so far, by number."""
        return related(self, "trials_")

    def build_sampler(self) -> Sampler:
        """A fresh sampler, as the search started with it (no trial told yet)."""
        from assay.search.spec import build_sampler

        factory = cloudpickle.loads(self.sampler_factory)
        return build_sampler(factory, self.goal, self.parameters, self.sampler_options)


class Trial(BaseModel):
    """One point a search tried: its parameters, its combination, its score and metrics."""

    __tablename__ = "trial"
    __table_args__ = (UniqueConstraint("search_id", "number"),)

    #: 0, 1, ... in the order the sampler proposed them.
    number: Mapped[int]
    parameters: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="running")
    #: The metric on the split, the mean over the trial's models; None unless complete.
    score: Mapped[float | None]
    #: ``{split: {metric: mean over the trial's models}}``; None while running.
    metrics: Mapped[dict | None] = mapped_column(JSON)
    #: Why a trial failed.
    message: Mapped[str | None] = mapped_column(Text)
    search_id: Mapped[int] = mapped_column(
        ForeignKey("queuesearch.id", ondelete="CASCADE"), index=True
    )
    hyperparamcombo_id: Mapped[int] = mapped_column(
        ForeignKey("hyperparamcombo.id", ondelete="CASCADE"), index=True, unique=True
    )

    hyperparamcombo_: Mapped[Hyperparamcombo] = relationship("Hyperparamcombo", viewonly=True)

    @property
    def hyperparamcombo(self) -> Hyperparamcombo:
        """The combination whose Jobs train this trial."""
        return related(self, "hyperparamcombo_")

    def result(self) -> dict[str, Any]:
        """This trial as 004's result: its parameters, score and the metrics of every split."""
        return {
            "trial": self.number,
            "parameters": dict(self.parameters),
            "score": self.score,
            "status": self.status,
            "metrics": self.metrics,
        }
