"""The Runs pages: queues, a queue's runs updating live, a run's curves growing as it trains.

Live by polling: the browser asks for ``/queues/{id}/live`` (a page of runs: status, message,
epochs) and ``/runs/{id}/live`` (epochs, ``assay.track`` plots, status, performance) about
once a second (``POLL_MS``), each answered with a few indexed queries. Polling, not server-sent
events, because it needs nothing kept open per browser, works behind any proxy, and an epoch
is written at most a second after it ends (``EpochRecorder``), so one more second of polling
keeps it on screen within 2 s.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from assay.errors import NotFound
from assay.orm.predictor import EpochMetrics, Prediction, Predictor
from assay.orm.queue import Queue
from assay.orm.run import STATUSES, Run
from assay.orm.tracking import RunPlot
from assay.server.dashboard.errors import DashboardRoute
from assay.server.dashboard.render import page
from assay.server.dashboard.session import Viewer
from assay.server.paging import Paging
from assay.server.records import json_value
from assay.server.routes.predictions import list_predictions
from assay.server.routes.queues import get_queue, list_queues
from assay.server.routes.runs import get_run, runs_page
from assay.store import reading

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
#: How often the pages ask for news, in milliseconds.
POLL_MS = 1000
PAGE = 50
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]


def require_data(request: Request, who: Viewer) -> None:
    """404 for a user of a context other than the experiments' (as the API answers)."""
    if who.context != request.app.state.settings.data_context:
        raise NotFound(f"{request.url.path} does not exist in context {who.context!r}.")


@router.get("/queues")
def queues_page(request: Request, who: Viewer, offset: Offset = 0) -> Response:
    """The queues, newest first, with their runs counted by status."""
    visible = who.context == request.app.state.settings.data_context
    found = list_queues(Paging(offset, PAGE), visible)
    return page(request, "queues.html", found=found, statuses=STATUSES)


def runs_of(queue_id: int, offset: int, status: str | None) -> Any:
    """A page of a queue's runs, in order."""
    return runs_page(Paging(offset, PAGE), Run.queue_id == queue_id, status)


@router.get("/queues/{queue_id}")
def queue_page(
    request: Request,
    queue_id: int,
    who: Viewer,
    offset: Offset = 0,
    status: str | None = None,
    metrics_offset: Offset = 0,
) -> Response:
    """A queue: its runs (updating live), and the metrics table of its predictions."""
    require_data(request, who)
    queue = get_queue(queue_id)
    runs = runs_of(queue_id, offset, status or None)
    predictions = list_predictions(Paging(metrics_offset, PAGE), True, queue_id)
    columns: list[str] = []
    for prediction in predictions.items:
        for values in prediction.metrics.values():
            columns.extend(key for key in values if key not in columns)
    return page(
        request,
        "queue.html",
        queue=queue,
        runs=runs,
        status=status or "",
        statuses=STATUSES,
        predictions=predictions,
        metric_columns=columns,
        poll_ms=POLL_MS,
    )


@router.get("/queues/{queue_id}/live")
def queue_live(
    request: Request, queue_id: int, who: Viewer, offset: Offset = 0, status: str | None = None
) -> JSONResponse:
    """The page of runs the queue page shows, as JSON, for it to update itself."""
    require_data(request, who)
    Queue.get_by_id(queue_id)
    runs = runs_of(queue_id, offset, status or None)
    return JSONResponse(
        {
            "total": runs.total,
            "runs": [
                {
                    "id": run.id,
                    "status": run.status,
                    "message": run.message or "",
                    "epochs": run.epoch_count,
                }
                for run in runs.items
            ],
        }
    )


def run_news(run_id: int) -> dict[str, Any]:
    """A run as its page draws it: status, message, performance, every epoch, every plot."""
    run = get_run(run_id)
    with reading() as db:
        epochs = list(
            db.execute(
                select(EpochMetrics.epoch, EpochMetrics.metrics)
                .where(EpochMetrics.run_id == run_id)
                .order_by(EpochMetrics.epoch)
            )
        )
        plots = list(
            db.scalars(
                select(RunPlot).where(RunPlot.run_id == run_id).order_by(RunPlot.phase, RunPlot.id)
            )
        )
        prediction = db.scalar(
            select(Prediction.id)
            .join(Predictor, Predictor.id == Prediction.predictor_id)
            .where(Predictor.run_id == run_id)
        )
    curves: dict[str, dict[str, list[float]]] = {}
    for epoch, metrics in epochs:
        for key, value in metrics.items():
            line = curves.setdefault(key, {"x": [], "y": []})
            line["x"].append(epoch + 1)
            line["y"].append(value)
    return json_value(
        {
            "id": run.id,
            "queue_id": run.queue_id,
            "status": run.status,
            "message": run.message or "",
            "performance": run.performance or {},
            "epochs": len(epochs),
            "curves": curves,
            "plots": [
                {
                    "phase": plot.phase,
                    "plot": plot.plot,
                    "labels": plot.labels,
                    "description": plot.description or "",
                    "lines": plot.lines,
                }
                for plot in plots
            ],
            "prediction_id": prediction,
        }
    )


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: int, who: Viewer) -> Response:
    """A run: its learning curves and ``assay.track`` plots, growing while it trains."""
    require_data(request, who)
    return page(request, "run.html", news=run_news(run_id), poll_ms=POLL_MS)


@router.get("/runs/{run_id}/live")
def run_live(request: Request, run_id: int, who: Viewer) -> JSONResponse:
    """What the run page draws, as JSON, for it to redraw itself."""
    require_data(request, who)
    return JSONResponse(run_news(run_id))
