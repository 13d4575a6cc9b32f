"""Queue, Job and Run (sections 11, 12): the training runs of an experiment, resumable.

A Queue crosses an Algorithm's hyperparameter combinations with a Splitset's folds into Jobs;
each Job is run ``repeat_count`` times. Every run has a row of its own with a status, so a
queue that was interrupted (even killed) resumes where it stopped and never trains a
finished run twice.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from assay.errors import InvalidArgument
from assay.evaluate.tables import METRICS_ID_COLUMNS, ModelScores, sort_frame
from assay.orm.algorithm import Algorithm, Hyperparamcombo, Hyperparamset, check_positive_int
from assay.orm.base import BaseModel, Deletable, UtcDateTime, id_method, related, utcnow
from assay.orm.dataset import check_text
from assay.orm.splitset import Fold, Splitset
from assay.store import reading, transaction

if TYPE_CHECKING:
    from assay.orm.predictor import EpochMetrics, Predictor

STATUSES = ("queued", "running", "succeeded", "failed", "stopped")
#: The statuses a worker may take a run from (besides "running" in a dead process).
CLAIMABLE = ("queued", "failed", "stopped")


class Queue(Deletable, BaseModel):
    """An experiment: which Algorithm, which data, which hyperparameters, how many repeats."""

    __tablename__ = "queue"

    repeat_count: Mapped[int]
    total_runs: Mapped[int]
    permute_count: Mapped[int]
    runs_completed: Mapped[int] = mapped_column(default=0)
    #: After cross-validation, train the best combination once more without a fold.
    refit: Mapped[bool] = mapped_column(default=False, server_default=false())
    algorithm_id: Mapped[int] = mapped_column(
        ForeignKey("algorithm.id", ondelete="CASCADE"), index=True
    )
    splitset_id: Mapped[int] = mapped_column(
        ForeignKey("splitset.id", ondelete="CASCADE"), index=True
    )
    hyperparamset_id: Mapped[int | None] = mapped_column(
        ForeignKey("hyperparamset.id", ondelete="CASCADE"), index=True
    )

    algorithm_: Mapped[Algorithm] = relationship("Algorithm", viewonly=True)
    splitset_: Mapped[Splitset] = relationship("Splitset", viewonly=True)
    hyperparamset_: Mapped[Hyperparamset | None] = relationship("Hyperparamset", viewonly=True)
    jobs_: Mapped[list[Job]] = relationship("Job", viewonly=True, order_by="Job.id")
    runs_: Mapped[list[Run]] = relationship("Run", viewonly=True, order_by="Run.id")
    predictors_: Mapped[list[Predictor]] = relationship(
        "Predictor",
        secondary="job",
        primaryjoin="Queue.id == Job.queue_id",
        secondaryjoin="Job.id == Predictor.job_id",
        viewonly=True,
        order_by="Predictor.id",
    )

    @property
    def algorithm(self) -> Algorithm:
        """The Algorithm this Queue trains."""
        return related(self, "algorithm_")

    @property
    def splitset(self) -> Splitset:
        """The Splitset whose samples train and evaluate the models."""
        return related(self, "splitset_")

    @property
    def hyperparamset(self) -> Hyperparamset | None:
        """The Hyperparamset whose combinations are tried, if any."""
        return related(self, "hyperparamset_")

    @property
    def jobs(self) -> list[Job]:
        """The Jobs, in the order they run."""
        return related(self, "jobs_")

    @property
    def runs(self) -> list[Run]:
        """Every run of every Job, in the order they run."""
        return related(self, "runs_")

    @property
    def predictors(self) -> list[Predictor]:
        """The Predictors trained so far."""
        return related(self, "predictors_")

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
        refit: bool = False,
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
            refit: With folds: once every fold run has succeeded, ``run_jobs`` trains the
                best combination once more on all the training samples (see
                ``refit_best``), and ``best_predictor`` returns that model.

        Raises:
            InvalidArgument: Bad counts, a Hyperparamset of another Algorithm, an inference
                Splitset, an analysis_type that does not fit the Label, or refit without
                folds.
        """
        check_text(description, "description")
        check_text(name, "name")
        check_positive_int(repeat_count, "repeat_count")
        check_positive_int(permute_count, "permute_count", minimum=0)
        if not isinstance(refit, bool):
            raise InvalidArgument(f"refit must be True or False; got {refit!r}.")
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
        if refit and folds == [None]:
            raise InvalidArgument(
                f"refit=True retrains the best combination after cross-validation, and "
                f"Splitset {splitset.id} has no folds: its models train on all the training "
                "samples already. Use a Splitset made with fold_count, or refit=False."
            )
        with transaction() as db:
            queue = cls(
                algorithm_id=algorithm.id,
                splitset_id=splitset.id,
                hyperparamset_id=hyperparamset_id,
                repeat_count=repeat_count,
                permute_count=permute_count,
                total_runs=len(combos) * len(folds) * repeat_count,
                refit=refit,
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
        if self.refit and not self.refit_jobs():
            self.refit_when_done(self.runs, progress)
        return self

    def refit_when_done(self, runs: list[Run], progress: bool) -> None:
        """``refit_best`` once every fold run has succeeded; say why not otherwise.

        Like a failed run, a refit that cannot be done is reported, not raised, so that
        ``run_jobs`` ends the same way whatever happened to one run.
        """
        if any(run.status != "succeeded" for run in runs):
            print(
                f"Queue {self.id}: the refit waits until every fold run has succeeded; "
                "run_jobs() again trains it then.",
                file=sys.stderr,
            )
            return
        try:
            self.refit_best(progress=progress)
        except InvalidArgument as exc:
            print(f"Queue {self.id}: no refit: {exc}", file=sys.stderr)

    def refit_jobs(self) -> list[Job]:
        """The Jobs that retrain a combination on all the training samples (no fold)."""
        if not self.splitset.fold_count:
            return []
        return Job.select_where(Job.queue_id == self.id, Job.fold_id.is_(None))

    @id_method
    def refit_best(
        self,
        metric: str | None = None,
        split: str | None = None,
        goal: str | None = None,
        progress: bool = True,
    ) -> Any:
        """Train the best combination once more on all the training samples, as GridSearchCV.

        After cross-validation each model saw part of the training samples; the refit model
        is trained on the Splitset's whole ``train`` split (its coders fitted there too) and
        evaluated on its other splits. It adds one Job (no fold) and its Run to the Queue
        and trains it with ``run_jobs``; ``best_predictor`` then returns it. Called again
        for the same combination, it returns the model trained already. ``run_jobs`` calls
        it by itself for a Queue made with ``refit=True``.

        Args:
            metric: The metric to choose the combination by (see ``best_predictor``).
            split: The split to judge on (see ``best_predictor``).
            goal: "maximize" or "minimize" (see ``best_predictor``).
            progress: Show a progress bar.

        Returns:
            The refit Predictor.

        Raises:
            InvalidArgument: Without folds, while fold runs are not done, for a bad metric,
                split or goal, or when the refit run fails (its message says why).
        """
        from assay.evaluate.metrics import default_score_metric
        from assay.evaluate.tables import best_model
        from assay.orm.predictor import Predictor

        if not self.splitset.fold_count:
            raise InvalidArgument(
                f"Queue {self.id} has no folds: its models train on all the training samples "
                "already, so there is nothing to refit; best_predictor() is the best model."
            )
        runs = self.runs
        refits = self.refit_jobs()
        refit_ids = {job.id for job in refits}
        undone = [r for r in runs if r.status != "succeeded" and r.job_id not in refit_ids]
        if undone:
            raise InvalidArgument(
                f"Queue {self.id} has {len(undone)} fold run(s) not succeeded; refit_best "
                "chooses among the models of every fold: run_jobs() first."
            )
        models = [model for model in self.model_scores() if not model.refit]
        if metric is None:
            metric = default_score_metric(self.algorithm.analysis_type)
        combo_id = best_model(
            models, metric=metric, split=split, goal=goal
        ).model.hyperparamcombo_id
        job = next((j for j in refits if j.hyperparamcombo_id == combo_id), None)
        if job is None:
            job = self.add_refit_job(combo_id, runs_before=len(runs))
        if job.predictors:
            return job.predictors[0]
        self.run_jobs(progress=progress)
        predictors = Predictor.select_where(Predictor.job_id == job.id)
        if not predictors:
            run = Run.select_where(Run.job_id == job.id)[0]
            why = (
                f"it runs in another process (pid {run.pid} on {run.host})"
                if run.is_live()
                else f"{run.status}: {run.message}"
            )
            raise InvalidArgument(
                f"the refit run {run.id} of Queue {self.id} has not succeeded ({why}); "
                "run_jobs() again retries it."
            )
        return predictors[0]

    def add_refit_job(self, hyperparamcombo_id: int | None, runs_before: int) -> Job:
        """Add the Job and Run that refit a combination, and count the run in total_runs.

        Of several processes that finish the folds together, only the first adds it: the
        count goes up only where ``total_runs`` is still ``runs_before``; the others get
        the Job the first one added.
        """
        try:
            with transaction() as db:
                counted = db.execute(
                    update(Queue)
                    .where(Queue.id == self.id, Queue.total_runs == runs_before)
                    .values(total_runs=Queue.total_runs + 1)
                )
                if counted.rowcount != 1:
                    raise _RefitTaken
                job = Job(
                    queue_id=self.id,
                    hyperparamcombo_id=hyperparamcombo_id,
                    fold_id=None,
                    repeat_count=1,
                )
                db.add(job)
                db.flush()
                db.add(Run(queue_id=self.id, job_id=job.id, repeat_index=0))
        except _RefitTaken:
            taken = [j for j in self.refit_jobs() if j.hyperparamcombo_id == hyperparamcombo_id]
            if not taken:
                raise InvalidArgument(
                    f"Queue {self.id} changed while choosing what to refit; call refit_best() "
                    "again."
                ) from None
            job = taken[0]
        self.total_runs = Queue.get_by_id(self.id).total_runs
        return job

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
        from assay.orm.predictor import Prediction, Predictor

        with reading() as db:
            statement = (
                select(Prediction)
                .join(Predictor, Prediction.predictor_id == Predictor.id)
                .join(Job, Predictor.job_id == Job.id)
                .where(Job.queue_id == self.id, Prediction.splitset_id == self.splitset_id)
                .order_by(Predictor.id)
            )
            return list(db.scalars(statement))

    def model_scores(self) -> list[ModelScores]:
        """Each trained model's ids, hyperparameters and metrics per split, in one read.

        What the tables (``metrics_df``, ``metricsAggregate_df``) and ``best_predictor``
        are computed from, by the pure functions of ``assay.evaluate.tables``.
        """
        from assay.orm.predictor import Prediction, Predictor

        statement = (
            select(
                Predictor.id,
                Predictor.job_id,
                Job.hyperparamcombo_id,
                Job.fold_id,
                Predictor.repeat_index,
                Prediction.metrics,
                Hyperparamcombo.hyperparameters,
            )
            .join(Job, Predictor.job_id == Job.id)
            .join(
                Prediction,
                and_(
                    Prediction.predictor_id == Predictor.id,
                    Prediction.splitset_id == self.splitset_id,
                ),
            )
            .outerjoin(Hyperparamcombo, Job.hyperparamcombo_id == Hyperparamcombo.id)
            .where(Job.queue_id == self.id)
            .order_by(Predictor.id)
        )
        with reading() as db:
            rows = db.execute(statement).all()
        # A model without a fold, in a Queue whose other models have one, is a refit.
        folded = any(row.fold_id is not None for row in rows)
        return [
            ModelScores(
                predictor_id=predictor_id,
                job_id=job_id,
                hyperparamcombo_id=combo_id,
                fold_id=fold_id,
                repeat_index=repeat_index,
                metrics=metrics or {},
                hyperparameters=dict(hyperparameters or {}),
                refit=folded and fold_id is None,
            )
            for predictor_id, job_id, combo_id, fold_id, repeat_index, metrics, hyperparameters in (
                rows
            )
        ]

    @id_method
    def metrics_df(
        self,
        selected_metrics: list[str] | None = None,
        sort_by: str | list[str] | None = None,
        ascending: bool = False,
        split: str | list[str] | None = None,
        hyperparameters: bool = False,
    ) -> Any:
        """One row per split (or fold) of every model trained, with its metrics.

        Args:
            selected_metrics: The metric columns to keep, in this order; None keeps all.
            sort_by: A column, or columns, to sort by.
            ascending: Sort ascending; descending by default.
            split: Keep only this split (e.g. ``"validation"``, ``"fold_validation"``) or
                these splits; None keeps every split.
            hyperparameters: Add a column per hyperparameter name (after the id columns)
                with each model's value; a name that is already a column is ``hp_<name>``.

        Returns:
            A DataFrame: ``predictor_id``, ``job_id``, ``hyperparamcombo_id``, ``fold_id``,
            ``repeat_index``, ``split``, the hyperparameters if asked, then the metrics;
            empty before any model is trained. With folds, a refit model (see
            ``refit_best``) is the one without a ``fold_id``.

        Raises:
            InvalidArgument: For a split, metric or sort column there is not (the message
                lists those there are).
        """
        from assay.evaluate.tables import metrics_frame

        frame = metrics_frame(
            self.model_scores(),
            split=split,
            selected_metrics=selected_metrics,
            hyperparameters=hyperparameters,
        )
        return sort_frame(frame, sort_by, ascending, "metrics_df")

    @id_method
    def metricsAggregate_df(
        self,
        selected_metrics: list[str] | None = None,
        selected_stats: list[str] | None = None,
        sort_by: str | list[str] | None = None,
        ascending: bool = False,
        split: str | list[str] | None = None,
        hyperparameters: bool = False,
    ) -> Any:
        """Each metric of each hyperparameter combination, summarized over its models.

        The models of a combination are its folds (and repeats), so with cross-validation
        ``split="fold_validation"`` gives each combination's cross-validated score, as
        ``GridSearchCV``'s ``mean_test_score`` and ``std_test_score`` do::

            queue.metricsAggregate_df(split="fold_validation", selected_metrics=["accuracy"],
                                      sort_by="mean")

        Without folds, a combination's models are its repeats (one each by default: count
        1, std 0). ``best_predictor()`` ranks combinations by the same mean.

        Args:
            selected_metrics: The metrics to summarize; None summarizes all.
            selected_stats: Which of count, mean, median, std (ddof 0), min and max to show,
                in this order; None shows all. NaNs (undefined scores) are left out; count
                says how many models were scored.
            sort_by: A column, or columns, to sort by (e.g. ``"mean"``).
            ascending: Sort ascending; descending by default.
            split: Keep only this split (e.g. ``"fold_validation"``) or these splits; None
                keeps every split.
            hyperparameters: Add a column per hyperparameter name after
                ``hyperparamcombo_id``.

        Returns:
            A DataFrame, one row per combination, split and metric: ``hyperparamcombo_id``,
            the hyperparameters if asked, ``split``, ``metric``, then the statistics; empty
            before any model is trained.

        Raises:
            InvalidArgument: For a split, metric, statistic or sort column there is not (the
                message lists those there are).
        """
        from assay.evaluate.tables import aggregate_frame

        frame = aggregate_frame(
            self.model_scores(),
            split=split,
            selected_metrics=selected_metrics,
            selected_stats=selected_stats,
            hyperparameters=hyperparameters,
        )
        return sort_frame(frame, sort_by, ascending, "metricsAggregate_df")

    @id_method
    def best_predictor(
        self, metric: str | None = None, split: str | None = None, goal: str | None = None
    ) -> Any:
        """The Predictor with the best score: of the best combination, its best model.

        Combinations are ranked by their mean score over their models (folds and repeats)
        on ``split``, as in ``metricsAggregate_df`` and ``GridSearchCV``; of the best one,
        its refit model is returned when there is one (see ``refit_best`` and
        ``Trainer(refit=True)``), else its model with the best score on ``split``.

        Args:
            metric: The metric to judge by; None means the analysis type's default score
                ('accuracy' for classification, 'r2' for regression).
            split: The split to judge on; None means validation when there is one, else the
                folds' validation (``fold_validation``), else test, else train.
            goal: "maximize" or "minimize"; None means "minimize" for losses and errors
                (a name holding "loss" or "error", and mse, rmse, mae), else "maximize".

        Returns:
            The Predictor.

        Raises:
            InvalidArgument: When no model is trained yet; for a metric or split that was not
                scored (the message lists those that were), or a goal other than the two;
                when the metric is undefined on the split for every model.
        """
        from assay.evaluate.metrics import default_score_metric
        from assay.evaluate.tables import best_model
        from assay.orm.predictor import Predictor

        models = self.model_scores()
        if not models:
            raise InvalidArgument(f"Queue {self.id} has no trained models yet; run_jobs() first.")
        if metric is None:
            metric = default_score_metric(self.algorithm.analysis_type)
        best = best_model(models, metric=metric, split=split, goal=goal)
        return Predictor.get_by_id(best.model.predictor_id)

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

    def _repr_html_(self) -> str:
        """A compact table of this Queue for notebooks (see ``assay.notebook``)."""
        from assay import notebook

        return notebook.queue_html(self)


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
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
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


class _RefitTaken(Exception):
    """Another process added the refit Job first (rolls back this one's attempt)."""


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
