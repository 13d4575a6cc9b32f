"""The base of every executor (004's HyperoptExecutor): how a Queue's runs are trained.

An executor knows where runs train (this process, worker processes of this machine, a Dask
cluster); what a run does is always ``run.execute_run(run_id)``, which claims the run first,
so executors may overlap, even with other processes on the same Queue, without training a
run twice. A search keeps its sampler, metric and split on the executor (004's constructor)
and asks it for batches of ``workers`` trials at a time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument
from assay.search.samplers import Sampler

if TYPE_CHECKING:
    from assay.orm.queue import Queue

SPLITS = ("train", "validation", "test")


class Executor(ABC):
    """Trains the claimable runs of a Queue; subclasses say where.

    Args:
        sampler: The sampler of the search this executor serves (None for a plain Queue).
        metric: The metric a search scores trials by (004's default, ``"loss"``).
        split: The split that metric is read on: ``"train"``, ``"validation"`` or ``"test"``.
    """

    def __init__(
        self, sampler: Sampler | None = None, metric: str = "loss", split: str = "validation"
    ) -> None:
        if sampler is not None and not isinstance(sampler, Sampler):
            raise InvalidArgument(
                f"sampler must be an assay.search.Sampler or None; got {type(sampler).__name__}."
            )
        if not isinstance(metric, str) or not metric:
            raise InvalidArgument(f"metric must be a metric's name (a str); got {metric!r}.")
        if split not in SPLITS:
            raise InvalidArgument(f"split must be one of {list(SPLITS)}; got {split!r}.")
        self.sampler = sampler
        self.metric = metric
        self.split = split

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many runs this executor trains at once (a search's batch size)."""

    @abstractmethod
    def run_runs(self, queue: Queue, progress: bool = True) -> None:
        """Train every claimable run of ``queue``; return when none is left that it can take.

        Each run goes through ``execute_run`` (which claims it). Failures are recorded on the
        runs and reported, not raised; Ctrl-C leaves the runs resumable by ``run_jobs``.

        Args:
            queue: The Queue whose runs to train.
            progress: Show a progress bar (on stderr).
        """

    def execute(self, queue: Queue, progress: bool = True) -> list[dict[str, Any]]:
        """Run (or resume) the search of ``queue`` on this executor (004's ``execute``).

        The loop (``assay.search.loop.run_search``) samples ``workers`` parameters at a
        time, adds their trials, trains them with ``run_runs``, scores them by the search's
        metric and split, and tells the sampler, until ``n_trials`` are scored or the
        sampler is finished.

        Args:
            queue: A Queue made with ``search=Search(...)``.
            progress: Show a progress bar of trials (on stderr).

        Returns:
            One dict per trial: ``trial``, ``parameters``, ``score``, ``status`` and
            ``metrics`` (``{split: {metric: mean}}``); also kept in the Trial rows and written
            to the JSON file ``queue.search.results_path``.

        Raises:
            InvalidArgument: The Queue has no search.
        """
        from assay.search.loop import run_search

        return run_search(queue, self, progress=progress)

    def close(self) -> None:  # noqa: B027 - most executors start nothing to free
        """Free what the executor started (worker pools, clusters); a no-op by default."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(metric={self.metric!r}, split={self.split!r})"


def check_worker_count(value: object, argument: str) -> int | None:
    """``value`` when it is None or an int >= 1 (not a bool); InvalidArgument otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument(f"{argument} must be an int >= 1 (or None); got {value!r}.")
    return value
