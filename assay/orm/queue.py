"""Queue, Job and Run (sections 11, 12): the training runs of an experiment, resumable.

A Queue crosses an Algorithm's hyperparameter combinations with a Splitset's folds into Jobs;
each Job is run ``repeat_count`` times. Every run has a row of its own with a status, so a
queue that was interrupted (even killed) resumes where it stopped and never trains a
finished run twice.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, and_, func, select, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import ColumnElement

from assay.errors import InvalidArgument
from assay.orm.algorithm import Algorithm, Hyperparamcombo, Hyperparamset, check_positive_int
from assay.orm.base import BaseModel, UtcDateTime, id_method, utcnow
from assay.orm.dataset import check_text
from assay.orm.splitset import Fold, Splitset
from assay.store import reading, transaction

STATUSES = ("queued", "running", "succeeded", "failed", "stopped")
#: The statuses a worker may take a run from (besides "running" in a dead process).
CLAIMABLE = ("queued", "failed", "stopped")


class Queue(BaseModel):
    """An experiment: which Algorithm, which data, which hyperparameters, how many repeats."""

    __tablename__ = "queue"

    repeat_count: Mapped[int]
    total_runs: Mapped[int]
    permute_count: Mapped[int]
    runs_completed: Mapped[int] = mapped_column(default=0)
    algorithm_id: Mapped[int] = mapped_column(
        ForeignKey("algorithm.id", ondelete="CASCADE"), index=True
    )
    splitset_id: Mapped[int] = mapped_column(
        ForeignKey("splitset.id", ondelete="CASCADE"), index=True
    )
    hyperparamset_id: Mapped[int | None] = mapped_column(
        ForeignKey("hyperparamset.id", ondelete="CASCADE"), index=True
    )

    @property
    def algorithm(self) -> Algorithm:
        """The Algorithm this Queue trains."""
        return Algorithm.get_by_id(self.algorithm_id)

    @property
    def splitset(self) -> Splitset:
        """The Splitset whose samples train and evaluate the models."""
        return Splitset.get_by_id(self.splitset_id)

    @property
    def hyperparamset(self) -> Hyperparamset | None:
        """The Hyperparamset whose combinations are tried, if any."""
        if self.hyperparamset_id is None:
            return None
        return Hyperparamset.get_by_id(self.hyperparamset_id)

    @property
    def jobs(self) -> list[Job]:
        """The Jobs, in the order they run."""
        return Job.select_where(Job.queue_id == self.id)

    @property
    def runs(self) -> list[Run]:
        """Every run of every Job, in the order they run."""
        return Run.select_where(Run.queue_id == self.id)

    @property
    def predictors(self) -> list[Any]:
        """The Predictors trained so far."""
        from assay.orm.predictor import Predictor

        with reading() as db:
            statement = (
                select(Predictor)
                .join(Job, Predictor.job_id == Job.id)
                .where(Job.queue_id == self.id)
                .order_by(Predictor.id)
            )
            return list(db.scalars(statement))

    @classmethod
    def from_algorithm(
        cls,
        algorithm_id: int,
        splitset_id: int,
        repeat_count: int = 1,
        permute_count: int = 3,
        hyperparamset_id: int | None = None,
        description: str | None = None,
        name: str | None = None,
    ) -> Queue:
        """Queue a Job for each hyperparameter combination and fold, each repeated.

        Args:
            algorithm_id: The Algorithm to train.
            splitset_id: The Splitset to train and evaluate on (not an inference one).
            repeat_count: How many models to train per Job (random initialisation differs).
            permute_count: Shuffles per column for permutation feature importance of each
                model on its training samples; 0 skips it.
            hyperparamset_id: The Hyperparamset to try; None runs the functions with no
                hyperparameters.
            description: What is unique about this experiment.
            name: A short name.

        Raises:
            InvalidArgument: Bad counts, a Hyperparamset of another Algorithm, an inference
                Splitset, or an analysis_type that does not fit the Label.
        """
        check_text(description, "description")
        check_text(name, "name")
        check_positive_int(repeat_count, "repeat_count")
        check_positive_int(permute_count, "permute_count", minimum=0)
        algorithm = Algorithm.get_by_id(algorithm_id)
        splitset = Splitset.get_by_id(splitset_id)
        if splitset.predictor_id is not None:
            raise InvalidArgument(
                f"splitset_id: Splitset {splitset.id} is an inference Splitset of Predictor "
                f"{splitset.predictor_id}; train on a Splitset made without predictor_id."
            )
        check_analysis_type(algorithm.analysis_type, splitset)
        splitset.check_encodable()  # also a Splitset made before Splitset.make checked
        combos: list[Hyperparamcombo | None] = [None]
        if hyperparamset_id is not None:
            hyperparamset = Hyperparamset.get_by_id(hyperparamset_id)
            if hyperparamset.algorithm_id != algorithm.id:
                raise InvalidArgument(
                    f"hyperparamset_id: Hyperparamset {hyperparamset.id} belongs to Algorithm "
                    f"{hyperparamset.algorithm_id}, not {algorithm.id}."
                )
            combos = list(hyperparamset.hyperparamcombos)
        folds: list[Fold | None] = list(splitset.folds) or [None]
        with transaction() as db:
            queue = cls(
                algorithm_id=algorithm.id,
                splitset_id=splitset.id,
                hyperparamset_id=hyperparamset_id,
                repeat_count=repeat_count,
                permute_count=permute_count,
                total_runs=len(combos) * len(folds) * repeat_count,
                description=description,
                name=name,
            )
            db.add(queue)
            db.flush()
            for combo in combos:
                for fold in folds:
                    job = Job(
                        queue_id=queue.id,
                        hyperparamcombo_id=None if combo is None else combo.id,
                        fold_id=None if fold is None else fold.id,
                        repeat_count=repeat_count,
                    )
                    db.add(job)
                    db.flush()
                    for repeat_index in range(repeat_count):
                        db.add(Run(queue_id=queue.id, job_id=job.id, repeat_index=repeat_index))
        return queue

    @id_method
    def run_jobs(self, progress: bool = True) -> Queue:
        """Train every run that has not succeeded yet, one after the other, on this process.

        Several processes may call it on one Queue at once: each claims a run before training
        it (see ``Run.claim``), so no run is trained twice, and each re-reads what is left
        after every run. A run that raises is recorded as failed (with its traceback) and the
        queue goes on. Ctrl-C stops after marking the current run as stopped; calling
        ``run_jobs`` again resumes, redoing runs that were cut off, even by a killed process.
        The final message lists what is not done: failures, and runs still running elsewhere.
        """
        from assay.search.executors.serial import run_serial

        run_serial(self, progress=progress)
        self.runs_completed = Queue.get_by_id(self.id).runs_completed
        return self

    def next_claimable(self, skip: set[int]) -> Run | None:
        """The first run, in order, that a worker may take now (read afresh), leaving out ``skip``."""
        candidates = Run.select_where(
            Run.queue_id == self.id, Run.status != "succeeded", Run.id.not_in(skip)
        )
        return next((run for run in candidates if run.is_claimable()), None)

    def succeeded_count(self) -> int:
        """How many runs have succeeded, by any process (read afresh)."""
        return self.status_counts()["succeeded"]

    def predictions(self) -> list[Any]:
        """The Prediction made during training of each Predictor, in Predictor order."""
        from assay.orm.predictor import Prediction

        predictors = {p.id: p for p in self.predictors}
        rows = Prediction.select_where(
            Prediction.predictor_id.in_(list(predictors)),
            Prediction.splitset_id == self.splitset_id,
        )
        return rows

    @id_method
    def metrics_df(
        self,
        selected_metrics: list[str] | None = None,
        sort_by: str | list[str] | None = None,
        ascending: bool = False,
    ) -> Any:
        """One row per split (or fold) of every model trained, with its metrics."""
        import pandas as pd

        jobs = {job.id: job for job in self.jobs}
        predictors = {p.id: p for p in self.predictors}
        rows = []
        for prediction in self.predictions():
            predictor = predictors[prediction.predictor_id]
            job = jobs[predictor.job_id]
            for split, metrics in (prediction.metrics or {}).items():
                chosen = (
                    metrics
                    if selected_metrics is None
                    else {key: metrics.get(key) for key in selected_metrics}
                )
                rows.append(
                    {
                        "predictor_id": predictor.id,
                        "job_id": job.id,
                        "hyperparamcombo_id": job.hyperparamcombo_id,
                        "fold_id": job.fold_id,
                        "repeat_index": predictor.repeat_index,
                        "split": split,
                        **chosen,
                    }
                )
        frame = pd.DataFrame(rows)
        return sort_frame(frame, sort_by, ascending, "metrics_df")

    @id_method
    def metricsAggregate_df(
        self,
        selected_metrics: list[str] | None = None,
        selected_stats: list[str] | None = None,
        sort_by: str | list[str] | None = None,
        ascending: bool = False,
    ) -> Any:
        """One row per metric of every model: mean, median, std, min and max across splits."""
        import pandas as pd

        rows = []
        for prediction in self.predictions():
            for metric, stats in (prediction.metrics_aggregate or {}).items():
                if selected_metrics is not None and metric not in selected_metrics:
                    continue
                chosen = (
                    stats
                    if selected_stats is None
                    else {key: stats.get(key) for key in selected_stats}
                )
                rows.append({"predictor_id": prediction.predictor_id, "metric": metric, **chosen})
        return sort_frame(pd.DataFrame(rows), sort_by, ascending, "metricsAggregate_df")

    @id_method
    def plot_performance(
        self,
        call_display: bool = True,
        max_loss: float | None = None,
        min_score: float | None = None,
        score_type: str | None = None,
        height: int | None = None,
    ) -> Any:
        """Every model's loss (x) against its score (y), per split, to compare them."""
        from assay.evaluate.metrics import default_score_metric
        from assay.evaluate.plots import performance_figure, show_or_return

        score_type = score_type or default_score_metric(self.algorithm.analysis_type)
        frame = self.metrics_df()
        if frame.empty:
            raise InvalidArgument(f"Queue {self.id} has no trained models yet; run_jobs() first.")
        if score_type not in frame.columns:
            names = [c for c in frame.columns if c not in METRICS_ID_COLUMNS]
            raise InvalidArgument(f"score_type must be one of {names}; got {score_type!r}.")
        figure = performance_figure(
            frame, score_type=score_type, max_loss=max_loss, min_score=min_score, height=height
        )
        return show_or_return(figure, call_display)

    def pending_runs(self) -> list[Run]:
        """Runs still to do: not succeeded, and not running in a live process."""
        return [run for run in self.runs if run.is_claimable()]

    def status_counts(self) -> dict[str, int]:
        """How many runs are in each status."""
        with reading() as db:
            rows = db.execute(
                select(Run.status, func.count()).where(Run.queue_id == self.id).group_by(Run.status)
            ).all()
        return {status: 0 for status in STATUSES} | dict(rows)


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

    @property
    def queue(self) -> Queue:
        """The Queue that made this Job."""
        return Queue.get_by_id(self.queue_id)

    @property
    def hyperparamcombo(self) -> Hyperparamcombo | None:
        """The hyperparameters this Job trains with, if any."""
        if self.hyperparamcombo_id is None:
            return None
        return Hyperparamcombo.get_by_id(self.hyperparamcombo_id)

    @property
    def fold(self) -> Fold | None:
        """The Fold whose samples this Job uses, if any."""
        return None if self.fold_id is None else Fold.get_by_id(self.fold_id)

    @property
    def predictors(self) -> list[Any]:
        """The models this Job has trained."""
        from assay.orm.predictor import Predictor

        return Predictor.select_where(Predictor.job_id == self.id)

    @property
    def runs(self) -> list[Run]:
        """The runs of this Job, one per repeat."""
        return Run.select_where(Run.job_id == self.id)

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
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)

    @property
    def job(self) -> Job:
        """The Job this run repeats."""
        return Job.get_by_id(self.job_id)

    @property
    def epochs(self) -> list[Any]:
        """The live history of this run: one row per epoch so far."""
        from assay.orm.predictor import EpochMetrics

        return EpochMetrics.select_where(
            EpochMetrics.run_id == self.id, order_by=EpochMetrics.epoch
        )

    def history(self) -> dict[str, list[float]]:
        """The metrics recorded so far, as a Keras-style history dict."""
        history: dict[str, list[float]] = {}
        for row in self.epochs:
            for key, value in row.metrics.items():
                history.setdefault(key, []).append(value)
        return history

    def is_live(self) -> bool:
        """Whether this run is running in a process that is still alive on this host.

        A zombie (killed, not yet reaped by its parent) counts as dead: it trains nothing.
        """
        if self.status != "running" or self.pid is None:
            return False
        if self.host != socket.gethostname():
            return True  # another machine's run: trust its status
        if self.pid == os.getpid():
            return False
        return process_is_alive(self.pid)

    def is_claimable(self) -> bool:
        """Whether a worker may take this run: not succeeded, and no live process holds it."""
        return self.status in CLAIMABLE or (self.status == "running" and not self.is_live())

    def claim(self) -> bool:
        """Take this run for this process; True only for the one worker that wins it.

        One conditional UPDATE: it sets the run running (host, pid, time started) only where
        the row is still as this object last read it and was claimable then, so of several
        workers that try at once exactly one changes the row. The loser trains nothing.
        """
        if not self.is_claimable():
            return False
        values: dict[str, Any] = {
            "status": "running",
            "message": None,
            "traceback": None,
            "time_started": utcnow(),
            "time_ended": None,
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }
        unchanged = and_(
            Run.status == self.status,
            Run.host == self.host,
            Run.pid == self.pid,
            Run.time_started == self.time_started,
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
        """End this process's hold on the run with ``status``; False if it no longer held it."""
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


def process_is_alive(pid: int) -> bool:
    """Whether a process of this host runs with ``pid`` (a zombie does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not is_zombie(pid)


def is_zombie(pid: int) -> bool:
    """Whether ``pid`` has exited but not been reaped (state 'Z' in /proc, where there is one)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # "pid (command name) state ...": the name may hold spaces and parentheses.
    fields = stat.rpartition(")")[2].split()
    return bool(fields) and fields[0] in ("Z", "X")


def check_analysis_type(analysis_type: str, splitset: Splitset) -> None:
    """Raise when an Algorithm's analysis_type cannot fit the Splitset's Label."""
    label = splitset.label
    if label is None:
        if analysis_type != "regression":
            raise InvalidArgument(
                f"analysis_type {analysis_type!r} needs a Label, and Splitset {splitset.id} is "
                "unsupervised; use 'regression' for unsupervised and self-supervised models."
            )
        return
    dtype = next(iter(label.get_dtypes().values()))
    if analysis_type.startswith("classification"):
        if label.is_continuous():
            raise InvalidArgument(
                f"analysis_type {analysis_type!r} needs a categorical Label; Label {label.id} "
                f"is floating ({dtype}). Use 'regression', or register the column as ints."
            )
        classes = label.column_count if label.column_count > 1 else len(label.unique_classes)
        if label.column_count == 1 and classes < 2:
            found = f"only the class {label.unique_classes[0]!r}" if classes else "no class"
            raise InvalidArgument(
                f"analysis_type {analysis_type!r} needs a Label with at least 2 classes; Label "
                f"{label.id} has {found}. Add samples of another class, or use an Algorithm "
                "of analysis_type 'regression'."
            )
        if analysis_type == "classification_binary" and classes > 2:
            raise InvalidArgument(
                f"analysis_type 'classification_binary' needs at most 2 classes; Label "
                f"{label.id} has {classes}. Use 'classification_multi'."
            )
        return
    if label.column_count > 1 or not (dtype.startswith(("float", "int", "uint"))):
        raise InvalidArgument(
            f"analysis_type 'regression' needs one numeric Label column; Label {label.id} is "
            f"{label.column_count} column(s) of {dtype}. Use a classification analysis_type."
        )


METRICS_ID_COLUMNS = (
    "predictor_id",
    "job_id",
    "hyperparamcombo_id",
    "fold_id",
    "repeat_index",
    "split",
)


def sort_frame(frame: Any, sort_by: str | list[str] | None, ascending: bool, caller: str) -> Any:
    """Sort a metrics table by some of its columns, with a clear error for unknown ones."""
    if sort_by is None or frame.empty:
        return frame
    columns = [sort_by] if isinstance(sort_by, str) else list(sort_by)
    unknown = [column for column in columns if column not in frame.columns]
    if unknown:
        raise InvalidArgument(
            f"sort_by: {caller} has no column(s) {unknown}; choose from {list(frame.columns)}."
        )
    return frame.sort_values(columns, ascending=ascending, ignore_index=True)
