"""The Predictions and Datasets pages.

Predictions: metrics, curves and the confusion matrix with the records behind each cell;
Datasets: their versions, shapes and a preview of rows.

The figures are drawn in the browser with Plotly from the API's own JSON (the same route
functions answer both), so what the page shows is what ``/api/v1`` serves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from assay.orm.dataset import Dataset
from assay.server.dashboard.errors import DashboardRoute
from assay.server.dashboard.render import page
from assay.server.dashboard.runs import PAGE, Offset, require_data
from assay.server.dashboard.session import Viewer
from assay.server.paging import Paging
from assay.server.routes.datasets import dataset_rows, get_dataset, list_datasets
from assay.server.routes.predictions import cell_records, get_confusion, get_curves, get_prediction
from assay.server.schemas import DatasetOut
from assay.store import reading

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
#: Rows in a Dataset's preview, and records listed for a confusion-matrix cell.
PREVIEW = 20


@router.get("/predictions/{prediction_id}")
def prediction_page(request: Request, prediction_id: int, who: Viewer) -> Response:
    """Metrics per split, ROC and precision-recall per class, confusion matrix per split."""
    require_data(request, who)
    prediction = get_prediction(prediction_id)
    classification = bool(prediction.class_names)
    curves = get_curves(prediction_id) if classification else None
    confusion = get_confusion(prediction_id) if classification else None
    return page(
        request,
        "prediction.html",
        prediction=prediction,
        curves=curves,
        confusion=confusion,
    )


@router.get("/predictions/{prediction_id}/records")
def records_of_cell(
    request: Request,
    prediction_id: int,
    who: Viewer,
    split: Annotated[str, Query(max_length=255)],
    true: str,
    predicted: str,
    offset: Offset = 0,
) -> JSONResponse:
    """The Dataset rows behind one cell of a split's confusion matrix, as JSON."""
    require_data(request, who)
    found = cell_records(prediction_id, split, true, predicted, Paging(offset, PREVIEW))
    return JSONResponse(found.model_dump(mode="json"))


@router.get("/datasets")
def datasets_page(request: Request, who: Viewer, offset: Offset = 0) -> Response:
    """The Datasets, newest first: name, version, kind and shape."""
    visible = who.context == request.app.state.settings.data_context
    return page(request, "datasets.html", found=list_datasets(Paging(offset, PAGE), visible))


@router.get("/datasets/{dataset_id}")
def dataset_page(request: Request, dataset_id: int, who: Viewer, offset: Offset = 0) -> Response:
    """A Dataset: its shape and columns, its other versions, and a page of its rows."""
    require_data(request, who)
    dataset = DatasetOut.model_validate(get_dataset(dataset_id))
    versions = []
    if dataset.name:
        with reading() as db:
            versions = list(
                db.execute(
                    select(Dataset.id, Dataset.version, Dataset.time_created)
                    .where(Dataset.name == dataset.name)
                    .order_by(Dataset.version)
                )
            )
    rows = dataset_rows(dataset_id, Paging(offset, PREVIEW))
    return page(request, "dataset.html", dataset=dataset, versions=versions, rows=rows)
