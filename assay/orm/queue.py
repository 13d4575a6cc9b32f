"""Queue (section 11): an experiment's training runs, crossed, resumable, and their results.

A Queue crosses an Algorithm's hyperparameter combinations with a Splitset's folds into Jobs;
each Job is run ``repeat_count`` times. Every run has a row of its own with a status, so a
queue that was interrupted (even killed) resumes where it stopped and never trains a
finished run twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, false, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.algorithm import (
    Algorithm,
    Hyperparamcombo,
    Hyperparamset,
    check_fits_label,
    check_positive_int,
)
from assay.orm.base import BaseModel, Deletable, id_method, related
from assay.orm.dataset import check_text
from assay.orm.queue_results import QueueResults
from assay.orm.queue_search import QueueSearchResults
from assay.orm.run import CLAIMABLE, STATUSES, Job, Run
from assay.orm.splitset import Fold, Splitset
from assay.store import reading, transaction
from assay.store.scores import queue_predictions

if TYPE_CHECKING:
    from assay.orm.predictor import Prediction, Predictor
    from assay.orm.search import QueueSearch
    from assay.search.spec import Search

__all__ = ["CLAIMABLE", "STATUSES", "Job", "Queue", "Run"]


class Queue(QueueResults, QueueSearchResults, Deletable, BaseModel):
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
    search_: Mapped[QueueSearch | None] = relationship("QueueSearch", viewonly=True, uselist=False)
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

    @property
    def search(self) -> QueueSearch | None:
        """The search that chooses this Queue's hyperparameters, if it was made with one."""
        return related(self, "search_")

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
        search: Search | None = None,
    ) -> Queue:
        """Queue a Job for each hyperparameter combination and fold, each repeated.

        With ``search``, the combinations are not known up front: ``run_jobs`` asks the
        search's sampler for them, a batch at a time, and adds each trial's Jobs (one per
        fold, each repeated) as it goes (see ``assay.search.loop``).

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
            search: A ``assay.search.Search``: the sampler, parameters, goal, metric, split
                and n_trials; not with hyperparamset_id.

        Raises:
            InvalidArgument: Bad counts, a Hyperparamset of another Algorithm, an inference
                Splitset, an analysis_type that does not fit the Label, refit without
                folds, or a search with a hyperparamset_id, or whose metric the Algorithm's
                analysis type does not compute, or whose split the Splitset has not.
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
        check_fits_label(algorithm.analysis_type, splitset)
        splitset.check_encodable()  # also a Splitset made before Splitset.make checked
        combos: list[Hyperparamcombo | None] = [None]
        split_name = None
        if search is not None:
            from assay.search.trials import check_search

            if hyperparamset_id is not None:
                raise InvalidArgument(
                    f"hyperparamset_id={hyperparamset_id!r} and search choose hyperparameters "
                    "both; pass one: a search makes its own combinations as it runs."
                )
            split_name = check_search(search, algorithm, splitset)  # before any write
            combos = []
        elif hyperparamset_id is not None:
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
            if search is not None:
                from assay.search.trials import add_search, search_hyperparamset

                hyperparamset_id = search_hyperparamset(algorithm.id)
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
            if search is not None:
                add_search(queue, search, split_name)
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

    #: The executor (and its options) ``run_jobs`` uses when given none: what
    #: ``mlops.Trainer(executor=...)`` chose for the Queue ``Experiment`` returned.
    default_executor: tuple[Any, dict[str, Any]] = ("serial", {})

    @id_method
    def run_jobs(self, progress: bool = True, executor: Any = None, **options: Any) -> Queue:
        """Train every run that has not succeeded yet, serially here or with another executor.

        Several processes may call it on one Queue at once, with any executors: each run is
        claimed before it is trained (see ``Run.claim``), so no run is trained twice, and
        what is left is re-read after every run. A run that raises is recorded as failed
        (with its traceback) and the queue goes on. Ctrl-C stops after marking the runs
        under way as stopped; calling ``run_jobs`` again resumes, redoing runs that were cut
        off, even by a killed process. The final message lists what is not done: failures,
        and runs still running elsewhere.

        A Queue made with a search runs the search instead (see ``assay.search.loop``): it
        adds trials batch by batch (as many as the executor trains at once) until
        ``n_trials`` are scored or the sampler is finished, and, called again after an
        interruption, finishes the trials begun and goes on.

        Args:
            progress: Show a progress bar (on stderr).
            executor: Where the runs train: ``"serial"`` (this process, one at a time),
                ``"parallel"`` (worker processes of this machine), ``"dask"`` (a Dask
                cluster), another name in ``assay.search.executor_registry``, an Executor
                class, or an Executor (left open for the caller). None: the Queue's
                ``default_executor``, ``"serial"`` unless ``mlops.Trainer`` chose another.
            **options: The executor's own options, e.g. ``max_workers=2`` for
                ``"parallel"``, ``address="tcp://host:8786"`` or ``n_workers=4`` for
                ``"dask"``.

        Raises:
            InvalidArgument: An unknown executor or options it does not take, before any
                run is trained.
        """
        from assay.search.executors import executor_for

        if executor is None:
            executor, options = self.default_executor[0], self.default_executor[1] | options
        with executor_for(executor, **options) as chosen:
            if self.search is not None:
                chosen.execute(self, progress=progress)
            else:
                chosen.run_runs(self, progress=progress)
        self.runs_completed = Queue.get_by_id(self.id).runs_completed
        if self.refit and not self.refit_jobs():
            from assay.search.refit import refit_when_done

            refit_when_done(self, self.runs, progress)
        return self

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
        from assay.search.refit import refit_best

        return refit_best(self, metric=metric, split=split, goal=goal, progress=progress)

    def next_claimable(self, skip: set[int]) -> Run | None:
        """The first run, in order, that a worker may take now (read afresh), leaving out ``skip``."""
        candidates = Run.select_where(
            Run.queue_id == self.id, Run.status != "succeeded", Run.id.not_in(skip)
        )
        return next((run for run in candidates if run.is_claimable()), None)

    def succeeded_count(self) -> int:
        """How many runs have succeeded, by any process (read afresh)."""
        return self.status_counts()["succeeded"]

    def predictions(self) -> list[Prediction]:
        """The Prediction made during training of each Predictor, in Predictor order."""
        return queue_predictions(self.id, self.splitset_id)

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
