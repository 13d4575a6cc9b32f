"""``/predictions``: metrics, curves, confusion matrices and the rows behind each cell.

Metrics per split, ROC and precision-recall per class, the confusion matrix per split, and
for each cell a page of the Dataset rows behind it. The work is the Prediction's (``assay.orm.prediction_methods``) and ``assay.evaluate``'s;
these routes shape it as JSON (NaN and infinite values as null).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from assay.errors import InvalidArgument
from assay.orm.dataset import Dataset
from assay.orm.predictor import Prediction, Predictor
from assay.orm.run import Job
from assay.server.paging import Page, PageQuery, empty_page, page_of, read_page
from assay.server.records import dataset_records, json_value
from assay.server.schemas import ConfusionOut, PredictionOut, Record
from assay.server.scope import data_items_router, sees_data

router = APIRouter(tags=["predictions"])
items = data_items_router()
PredictionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
#: What a list of Predictions reads: metrics, not predictions and probabilities; the
#: Predictor's class names and the Job's Queue in one query each for the whole page.
LISTED = (
    load_only(
        Prediction.id,
        Prediction.predictor_id,
        Prediction.splitset_id,
        Prediction.metrics,
        Prediction.metrics_aggregate,
    ),
    selectinload(Prediction.predictor_)
    .load_only(Predictor.id, Predictor.job_id, Predictor.ordered_class_names)
    .selectinload(Predictor.job_)
    .load_only(Job.id, Job.queue_id),
)


def prediction_out(prediction: Prediction, splits: list[str] | None = None) -> PredictionOut:
    """A Prediction's metrics per split, with its Queue and class names."""
    predictor = prediction.predictor
    names = predictor.ordered_class_names
    metrics = json_value(prediction.metrics or {})
    return PredictionOut(
        id=prediction.id,
        predictor_id=prediction.predictor_id,
        splitset_id=prediction.splitset_id,
        queue_id=predictor.job.queue_id,
        splits=list(metrics) if splits is None else splits,
        class_names=None if names is None else [str(name) for name in names],
        metrics=metrics,
        metrics_aggregate=json_value(prediction.metrics_aggregate),
    )


@router.get("/predictions", response_model=Page[PredictionOut])
def list_predictions(
    at: PageQuery,
    visible: Annotated[bool, Depends(sees_data)],
    queue_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Page:
    """The Predictions (of one Queue, when given), newest first, with their metrics per split."""
    if not visible:
        return empty_page(at)
    statement = select(Prediction).options(*LISTED).order_by(Prediction.id.desc())
    if queue_id is not None:
        statement = (
            statement.join(Predictor, Predictor.id == Prediction.predictor_id)
            .join(Job, Job.id == Predictor.job_id)
            .where(Job.queue_id == queue_id)
        )
    rows, total = read_page(statement, at)
    return page_of(rows, total, at, prediction_out)


@items.get("/predictions/{prediction_id}", response_model=PredictionOut)
def get_prediction(prediction_id: PredictionId) -> PredictionOut:
    """One Prediction: its splits, class names, metrics per split and across folds."""
    prediction = Prediction.get_by_id(prediction_id)
    return prediction_out(prediction, list(prediction.predictions))


@items.get("/predictions/{prediction_id}/curves", response_model=dict[str, Any])
def get_curves(prediction_id: PredictionId) -> dict[str, Any]:
    """ROC (fpr, tpr, AUC) and precision-recall curves per split and class (classification)."""
    prediction = Prediction.get_by_id(prediction_id)
    return json_value(
        {"roc": prediction.roc_curves(), "precision_recall": prediction.precision_recall_curves()}
    )


@items.get("/predictions/{prediction_id}/confusion", response_model=ConfusionOut)
def get_confusion(prediction_id: PredictionId) -> ConfusionOut:
    """The confusion matrix of each split; rows are true classes, columns predicted ones."""
    prediction = Prediction.get_by_id(prediction_id)
    matrices = prediction.confusion_matrices()
    names = [str(name) for name in prediction.predictor.ordered_class_names or []]
    return ConfusionOut(class_names=names, matrices=json_value(matrices))


@items.get("/predictions/{prediction_id}/confusion/{split}/records", response_model=Page[Record])
def cell_records(
    prediction_id: PredictionId,
    split: Annotated[str, Path(max_length=255)],
    true: Annotated[str, Query(description="The true class of the cell.")],
    predicted: Annotated[str, Query(description="The predicted class of the cell.")],
    at: PageQuery,
) -> Page:
    """A page of the records behind one cell: the original Dataset rows, every column's value."""
    prediction = Prediction.get_by_id(prediction_id)
    cells = {
        (str(t), str(p)): samples for (t, p), samples in prediction.confusion_records(split).items()
    }
    if (true, predicted) not in cells:
        names = sorted({t for t, _ in cells})
        raise InvalidArgument(
            f"true and predicted must be class names of Prediction {prediction_id} ({names}); "
            f"got {true!r} and {predicted!r}."
        )
    samples = cells[(true, predicted)]
    page = samples[at.offset : at.offset + at.limit]
    return page_of(split_records(prediction, page), len(samples), at, Record.model_validate)


def split_records(prediction: Prediction, samples: list[int]) -> list[dict[str, Any]]:
    """The rows at ``samples`` of the Datasets of the Prediction's Features and Label, merged."""
    splitset = prediction.splitset
    dataset_ids = [feature.dataset_id for feature in splitset.features]
    if splitset.label is not None:
        dataset_ids.append(splitset.label.dataset_id)
    merged: list[dict[str, Any]] = [{"sample": sample, "values": {}} for sample in samples]
    for dataset_id in dict.fromkeys(dataset_ids):
        rows = dataset_records(Dataset.get_by_id(dataset_id), samples)
        for out, row in zip(merged, rows, strict=True):
            out["values"].update(row["values"])
    return merged


router.include_router(items)
