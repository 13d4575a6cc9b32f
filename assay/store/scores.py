"""Reading a Queue's results: its Predictions, and each model's scores, in one statement each.

The tables and choices of ``Queue`` (``metrics_df``, ``metricsAggregate_df``,
``best_predictor``, ``refit_best``) are computed by the pure functions of
``assay.evaluate.tables`` from ``ModelScores``; this module reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, select

from assay.evaluate.tables import ModelScores
from assay.store import reading

if TYPE_CHECKING:
    from assay.orm.predictor import Prediction


def queue_predictions(queue_id: int, splitset_id: int) -> list[Prediction]:
    """The Prediction made during training of each of a Queue's Predictors, in Predictor order.

    Args:
        queue_id: The Queue.
        splitset_id: Its Splitset (a Predictor's inference Predictions are left out).
    """
    from assay.orm.predictor import Prediction, Predictor
    from assay.orm.run import Job

    with reading() as db:
        statement = (
            select(Prediction)
            .join(Predictor, Prediction.predictor_id == Predictor.id)
            .join(Job, Predictor.job_id == Job.id)
            .where(Job.queue_id == queue_id, Prediction.splitset_id == splitset_id)
            .order_by(Predictor.id)
        )
        return list(db.scalars(statement))


def model_scores(
    queue_id: int, splitset_id: int, hyperparamcombo_ids: list[int] | None = None
) -> list[ModelScores]:
    """Each model a Queue trained: its ids, hyperparameters and metrics per split, in one read.

    Args:
        queue_id: The Queue.
        splitset_id: Its Splitset: the Predictions scored on it.
        hyperparamcombo_ids: Only the models of these combinations (a search's new trials);
            None reads every model.
    """
    from assay.orm.algorithm import Hyperparamcombo
    from assay.orm.predictor import Prediction, Predictor
    from assay.orm.run import Job

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
            and_(Prediction.predictor_id == Predictor.id, Prediction.splitset_id == splitset_id),
        )
        .outerjoin(Hyperparamcombo, Job.hyperparamcombo_id == Hyperparamcombo.id)
        .where(Job.queue_id == queue_id)
        .order_by(Predictor.id)
    )
    if hyperparamcombo_ids is not None:
        statement = statement.where(Job.hyperparamcombo_id.in_(hyperparamcombo_ids))
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
        for predictor_id, job_id, combo_id, fold_id, repeat_index, metrics, hyperparameters in rows
    ]
