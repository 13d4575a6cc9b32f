"""The heartbeat of a training run: proof, readable from any host, that its process lives.

A pid says nothing on another machine, so while a run trains a daemon thread of its process
stamps ``run.heartbeat`` every ``heartbeat_seconds()``; ``Run.is_live`` judges another
host's run by it (see ``store.liveness``). The thread writes only while this process still
holds the run, and stops by itself once it does not (the run ended or was taken over).
"""

from __future__ import annotations

import threading
from types import TracebackType

from sqlalchemy import update

from assay.orm.base import utcnow
from assay.orm.run import Run
from assay.store import transaction
from assay.store.liveness import heartbeat_seconds


class Heartbeat:
    """``with Heartbeat(run):`` stamps the run's heartbeat in the background until the block ends.

    Args:
        run: A run this process has just claimed.
    """

    def __init__(self, run: Run) -> None:
        self.run = run
        self.interval = heartbeat_seconds()
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._beat, name=f"assay-heartbeat-run-{run.id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stopped.set()
        self.thread.join()

    def beat(self) -> bool:
        """Stamp the heartbeat now; False when this process no longer holds the run."""
        with transaction() as db:
            held = db.execute(update(Run).where(self.run.held_here()).values(heartbeat=utcnow()))
        return held.rowcount == 1

    def _beat(self) -> None:
        # A failed write (the database briefly unreachable) is retried at the next beat:
        # training goes on, and the run only looks dead if beats stay missing.
        while not self.stopped.wait(self.interval):
            try:
                if not self.beat():
                    return
            except Exception:  # a beat is best effort, see above
                continue
