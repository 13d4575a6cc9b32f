"""What one training run does, as a function of the run's id that any process can call.

``execute_run(run_id)``: read the cached samples, build and train the model (writing each
epoch's metrics as it goes), predict every split of the Job, and store the Predictor and its
Prediction together with the run's success in one transaction. A run that raises is
recorded as failed with its traceback; the caller decides whether to go on.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

import numpy as np
from sqlalchemy import update

from assay.orm.base import utcnow
from assay.orm.predictor import EpochMetrics, Prediction, Predictor
from assay.orm.queue import Job, Queue, Run
from assay.store import transaction

FLUSH_SECONDS = 1.0


class EpochRecorder:
    """Collects each epoch's metrics and writes them in batches, at most about once a second."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.pending: list[tuple[int, dict[str, float]]] = []
        self.written = 0
        self.last_flush = time.monotonic()

    def __call__(self, epoch: int, metrics: dict[str, Any]) -> None:
        """Record one epoch; flush when a second has passed since the last write."""
        clean = {key: float(np.asarray(value).item()) for key, value in metrics.items()}
        self.pending.append((int(epoch), clean))
        if time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write what is pending (one transaction)."""
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        with transaction() as db:
            db.add_all(
                EpochMetrics(run_id=self.run_id, epoch=epoch, metrics=metrics)
                for epoch, metrics in rows
            )
        self.written += len(rows)
        self.last_flush = time.monotonic()

    def clear(self) -> None:
        """Forget the epochs of an earlier attempt of this run."""
        with transaction() as db:
            db.query(EpochMetrics).filter(EpochMetrics.run_id == self.run_id).delete()


def unwrap(features: list[np.ndarray]) -> Any:
    """One Feature's array as itself; several as a list (what the functions receive)."""
    return features[0] if len(features) == 1 else features


def sample_shapes(features: list[np.ndarray], label: np.ndarray | None) -> tuple[Any, Any]:
    """The shape of one sample of the features (a list when several) and of the label."""
    shapes = [tuple(array.shape[1:]) for array in features]
    label_shape = None if label is None else tuple(label.shape[1:])
    return (shapes[0] if len(shapes) == 1 else shapes), label_shape


def execute_run(run_id: int) -> str:
    """Train, evaluate and store one run; returns its final status ('succeeded' or 'failed')."""
    from assay.orm.evaluation import evaluate_splits, feature_names, importance_of

    run = Run.get_by_id(run_id)
    if run.status == "succeeded":
        return "succeeded"
    job = Job.get_by_id(run.job_id)
    queue = Queue.get_by_id(job.queue_id)
    splitset = queue.splitset
    algorithm = queue.algorithm
    run.mark("running")
    recorder = EpochRecorder(run.id)
    recorder.clear()
    started, clock = utcnow(), time.perf_counter()
    try:
        from assay.train.adapters import get_adapter

        adapter = get_adapter(algorithm.library)
        functions = algorithm.functions()
        hp = job.hyperparameters()
        splits = list((job.fold.samples if job.fold_id is not None else splitset.samples).keys())
        data = {split: splitset.split_arrays(split, job.fold_id) for split in splits}
        key_train = splitset.key_train
        key_evaluation = splitset.key_evaluation or key_train
        train_x, train_y = data[key_train]
        eval_x, eval_y = data[key_evaluation]
        features_shape, label_shape = sample_shapes(train_x, train_y)
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
        evaluation = evaluate_splits(
            adapter, functions, model, hp, algorithm.analysis_type, splitset, data, job.fold_id
        )
        importance = None
        if queue.permute_count > 0:
            importance = importance_of(
                adapter,
                functions,
                model,
                hp,
                algorithm.analysis_type,
                splitset,
                data[key_train],
                queue.permute_count,
            )
        model_file = adapter.save(model)
        duration = time.perf_counter() - clock
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        recorder.pending.clear()
        run.mark("failed", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        return "failed"
    with transaction() as db:
        predictor = Predictor(
            job_id=job.id,
            run_id=run.id,
            repeat_index=run.repeat_index,
            time_started=started,
            time_succeeded=utcnow(),
            time_duration=round(duration),
            model_file=model_file,
            features_shapes=features_shape,
            label_shape=label_shape,
            history={key: [float(v) for v in np.ravel(values)] for key, values in history.items()},
            ordered_class_names=evaluation.class_names,
            ordered_feature_names=feature_names(splitset),
            library=algorithm.library,
        )
        db.add(predictor)
        db.flush()
        db.add(
            Prediction(
                predictor_id=predictor.id,
                splitset_id=splitset.id,
                predictions=evaluation.predictions,
                probabilities=evaluation.probabilities,
                metrics=evaluation.metrics,
                metrics_aggregate=evaluation.metrics_aggregate,
                plot_data=evaluation.plot_data,
                notes=evaluation.notes or None,
                feature_importance=importance,
                permute_count=queue.permute_count if importance is not None else None,
            )
        )
        db.execute(
            update(Run)
            .where(Run.id == run.id)
            .values(status="succeeded", message=None, traceback=None, time_ended=utcnow())
        )
        db.execute(
            update(Queue)
            .where(Queue.id == queue.id)
            .values(runs_completed=Queue.runs_completed + 1)
        )
    return "succeeded"
