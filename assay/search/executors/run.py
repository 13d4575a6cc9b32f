"""What one training run does, as a function of the run's id that any process can call.

The unit of work of every executor (``serial``, ``parallel``, ``dask``).

``execute_run(run_id)``: claim the run (so that of several workers only one trains it), read
the cached samples, build and train the model (writing each epoch's metrics as it goes, and
stamping the run's heartbeat meanwhile), predict every split of the Job, and store the
Predictor and its Prediction together with the run's success in one transaction. A run that
raises, in any of these steps, is recorded as failed with its traceback; the caller decides
whether to go on.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import insert, update

from assay.integrations import Integrations
from assay.integrations import current as current_integrations
from assay.orm.base import utcnow
from assay.orm.loading import TrainingRows, load_run
from assay.orm.predictor import EpochMetrics, Prediction, Predictor
from assay.orm.queue import Queue
from assay.orm.run import Job, Run
from assay.search.executors.heartbeat import Heartbeat
from assay.store import transaction
from assay.train.live import training_run

if TYPE_CHECKING:
    from assay.evaluate.predict import Evaluation

FLUSH_SECONDS = 1.0


class EpochRecorder:
    """Collects each epoch's metrics and writes them in batches, at most about once a second.

    Each epoch also goes to the active integrations' ``train_epoch_end`` as it ends.
    """

    def __init__(self, run_id: int, integrations: Integrations | None = None) -> None:
        self.run_id = run_id
        self.integrations = integrations
        self.pending: list[tuple[int, dict[str, float]]] = []
        self.written = 0
        self.last_flush = time.monotonic()

    def __call__(self, epoch: int, metrics: dict[str, Any]) -> None:
        """Record one epoch; flush when a second has passed since the last write."""
        clean = {key: float(np.asarray(value).item()) for key, value in metrics.items()}
        self.pending.append((int(epoch), clean))
        if self.integrations is not None:
            self.integrations.call(
                "train_epoch_end", run_id=self.run_id, epoch=int(epoch), metrics=dict(clean)
            )
        if time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write what is pending (one transaction)."""
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        # One executemany of plain rows: the ORM's unit of work would cost about as much
        # again as the write itself, and an epoch written at once must stay cheap.
        with transaction() as db:
            db.execute(
                insert(EpochMetrics.__table__),
                [
                    {"run_id": self.run_id, "epoch": epoch, "metrics": metrics}
                    for epoch, metrics in rows
                ],
            )
        self.written += len(rows)
        self.last_flush = time.monotonic()

    def clear(self) -> None:
        """Forget what an earlier attempt of this run recorded (call it holding the run).

        Its epochs, and the plots and performance figures its code sent through
        ``assay.track``.
        """
        from assay.orm.tracking import RunPlot

        with transaction() as db:
            db.query(EpochMetrics).filter(EpochMetrics.run_id == self.run_id).delete()
            db.query(RunPlot).filter(RunPlot.run_id == self.run_id).delete()
            db.execute(update(Run).where(Run.id == self.run_id).values(performance=None))


class LostRun(Exception):
    """The run stopped being this process's while it trained (another worker took it)."""


@dataclass
class RunOutcome:
    """What training one run produced, ready to be stored."""

    queue: Queue
    job: Job
    model_file: bytes
    features_shape: Any
    label_shape: Any
    history: dict[str, Any]
    evaluation: Evaluation
    importance: dict[str, Any] | None
    feature_names: list[Any]
    library: str
    duration: float


def execute_run(run_id: int) -> str | None:
    """Claim, train, evaluate and store one run; its final status, or None if not run here.

    The run is claimed first (see ``Run.claim``): when it has succeeded already or another
    live process holds it, nothing is done and None is returned. Otherwise it ends
    'succeeded' or 'failed' (with its message and traceback, whatever step raised, the
    final write included), or with the status its training code reported through
    ``assay.track.status`` (its model then not kept); Ctrl-C marks it 'stopped' and
    propagates.

    The active integrations (``assay.integrations.current()``) hear of it: ``train_init``,
    each ``train_epoch_end``, ``train_model``, ``train_save`` and ``train_end``.
    """
    run, rows = load_run(run_id)
    # A run never claimed before (no start time) has no epochs of an earlier attempt.
    first_attempt = run.time_started is None
    if not run.claim():
        return None
    integrations = current_integrations()
    recorder = EpochRecorder(run.id, integrations)
    try:
        with Heartbeat(run), training_run(run.id) as report:
            if not first_attempt:
                recorder.clear()
            if integrations is not None:
                _report_init(integrations, run, rows)
            outcome = train_run(rows, recorder)
            if report.status is not None:
                # the training code's verdict (assay.track.status): the model is not kept
                run.release(report.status, report.message)
                _report_end(integrations, run.id, report.status, message=report.message)
                return report.status
            predictor_id = store_outcome(run, outcome)
    except KeyboardInterrupt:
        run.release("stopped", "interrupted by the user (KeyboardInterrupt)")
        _report_end(integrations, run.id, "stopped", message="interrupted by the user")
        raise
    except LostRun:
        return None
    except Exception as exc:
        recorder.pending.clear()
        message = f"{type(exc).__name__}: {exc}"
        run.release("failed", message, traceback.format_exc())
        _report_end(integrations, run.id, "failed", message=message)
        return "failed"
    if integrations is not None:
        metrics = outcome.evaluation.metrics
        integrations.call("train_save", run_id=run.id, predictor_id=predictor_id, metrics=metrics)
        _report_end(integrations, run.id, "succeeded", predictor_id=predictor_id, metrics=metrics)
    return "succeeded"


def _report_init(integrations: Integrations, run: Run, rows: TrainingRows) -> None:
    """Tell the active integrations that a run starts training, with what."""
    integrations.call(
        "train_init",
        run_id=run.id,
        queue_id=rows.queue.id,
        job_id=rows.job.id,
        library=rows.algorithm.library,
        analysis_type=rows.algorithm.analysis_type,
        hyperparameters=rows.hyperparameters(),
        fold_index=None if rows.fold is None else rows.fold.idx,
        repeat_index=run.repeat_index,
    )


def _report_end(
    integrations: Integrations | None,
    run_id: int,
    status: str,
    predictor_id: int | None = None,
    metrics: dict[str, dict[str, float]] | None = None,
    message: str | None = None,
) -> None:
    """Tell the active integrations that a run ended, and how."""
    if integrations is not None:
        integrations.call(
            "train_end",
            run_id=run_id,
            status=status,
            predictor_id=predictor_id,
            metrics=metrics,
            message=message,
        )


def train_run(rows: TrainingRows, recorder: EpochRecorder) -> RunOutcome:
    """Train a run's model on the cached samples and evaluate it on every split.

    Args:
        rows: What the run's Job trains with (see ``load_run``).
        recorder: Where each epoch's metrics go.
    """
    from assay.evaluate.importance import importance_by_feature
    from assay.evaluate.predict import evaluate_splits
    from assay.preprocess.stratify import split_keys
    from assay.store.samples import read_split, resolve_preprocessing, split_names
    from assay.train.adapters import clean_history, get_adapter
    from assay.train.handoff import sample_shapes, unwrap
    from assay.train.model import TrainedModel

    clock = time.perf_counter()
    job, queue, splitset, algorithm, fold = (
        rows.job,
        rows.queue,
        rows.splitset,
        rows.algorithm,
        rows.fold,
    )
    adapter = get_adapter(algorithm.library)
    functions = algorithm.functions()
    hp = rows.hyperparameters()
    data = {split: read_split(splitset, split, fold) for split in split_names(splitset, fold)}
    key_train, key_evaluation = splitset.key_train, splitset.key_evaluation
    if fold is None and splitset.fold_count is not None:
        # A refit (Queue.refit_best): the Splitset's own splits, as if it had no folds.
        keys = split_keys(splitset.has_validation, splitset.has_test, None)
        key_train, key_evaluation = keys["key_train"], keys["key_evaluation"]
    key_evaluation = key_evaluation or key_train
    train_x, train_y = data[key_train]
    eval_x, eval_y = data[key_evaluation]
    preprocessing = resolve_preprocessing(splitset, fold)
    features_shape, label_shape = sample_shapes(train_x, train_y)
    label_shape = adapter.build_label_shape(
        label_shape, algorithm.analysis_type, preprocessing.class_names
    )
    model, history = adapter.run(
        functions,
        hp,
        features_shape,
        label_shape,
        (unwrap(train_x), train_y),
        (unwrap(eval_x), eval_y),
        on_epoch=recorder,
    )
    recorder.flush()
    model_file = adapter.save(model)
    if recorder.integrations is not None:
        recorder.integrations.call(
            "train_model",
            run_id=recorder.run_id,
            library=algorithm.library,
            model=model,
            model_file=model_file,
            history=clean_history(history),
        )
    trained = TrainedModel(adapter, functions, model, hp, algorithm.analysis_type, preprocessing)
    evaluation = evaluate_splits(trained, data)
    importance = None
    if queue.permute_count > 0:
        importance = importance_by_feature(trained, data[key_train], queue.permute_count)
    return RunOutcome(
        queue=queue,
        job=job,
        model_file=model_file,
        features_shape=features_shape,
        label_shape=label_shape,
        history=history,
        evaluation=evaluation,
        importance=importance,
        feature_names=preprocessing.feature_names,
        library=algorithm.library,
        duration=time.perf_counter() - clock,
    )


def store_outcome(run: Run, outcome: RunOutcome) -> int:
    """Write the Predictor, its Prediction, the run's success and the queue's count at once.

    Returns:
        The Predictor's id.

    Raises:
        LostRun: When this process no longer holds the run (nothing is written).
    """
    evaluation, queue = outcome.evaluation, outcome.queue
    with transaction() as db:
        held = db.execute(
            update(Run)
            .where(run.held_here())
            .values(status="succeeded", message=None, traceback=None, time_ended=utcnow())
        )
        if held.rowcount != 1:
            raise LostRun(f"Run {run.id} is no longer held by this process.")
        predictor = Predictor(
            job_id=outcome.job.id,
            run_id=run.id,
            repeat_index=run.repeat_index,
            time_started=run.time_started,
            time_succeeded=utcnow(),
            time_duration=round(outcome.duration),
            model_file=outcome.model_file,
            features_shapes=outcome.features_shape,
            label_shape=outcome.label_shape,
            history={
                key: [float(v) for v in np.ravel(values)] for key, values in outcome.history.items()
            },
            ordered_class_names=evaluation.class_names,
            ordered_feature_names=outcome.feature_names,
            library=outcome.library,
        )
        db.add(predictor)
        db.flush()
        Prediction.record(
            predictor.id,
            queue.splitset_id,
            evaluation,
            importance=outcome.importance,
            permute_count=queue.permute_count,
        )
        db.execute(
            update(Queue)
            .where(Queue.id == queue.id)
            .values(runs_completed=Queue.runs_completed + 1)
        )
    return predictor.id
