"""What training code reports about its run besides epochs: plots that grow while it trains.

``assay.track.update_plots`` writes one row per (run, phase, plot): the phase is ``train``
or ``eval``, ``labels`` the x and y axis labels, ``lines`` each line's ``[x, y]`` points by
line name, and the plot's description in the ``description`` every row has.
A plot sent again replaces its row, so the dashboard reads the newest state of each plot.
"""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.orm.base import BaseModel

#: A plot belongs to the training cycle or to the evaluation (validation) cycle.
PHASES = ("train", "eval")


class RunPlot(BaseModel):
    """One plot of a run in one phase: axis labels, a description, and named lines of points."""

    __tablename__ = "runplot"
    __table_args__ = (UniqueConstraint("run_id", "phase", "plot"),)

    phase: Mapped[str] = mapped_column(String(8))
    plot: Mapped[str] = mapped_column(String(255))
    labels: Mapped[list] = mapped_column(JSON)
    lines: Mapped[dict] = mapped_column(JSON)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
