"""``/runs``: runs with their status, message and epochs so far; one run; its epochs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select, true

from assay.orm.predictor import EpochMetrics
from assay.orm.run import Run
from assay.server.paging import Page, PageQuery, Paging, empty_page, page_of, read_page
from assay.server.queries import epoch_counts
from assay.server.schemas import EpochOut, RunOut
from assay.server.scope import data_items_router, sees_data
from assay.summary import run_status

router = APIRouter(tags=["runs"])
items = data_items_router()
RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Status = Literal["queued", "running", "succeeded", "failed", "stopped", "abandoned"]
StatusQuery = Annotated[Status | None, Query(description="Only runs with this status.")]


def run_out(run: Run, epochs: int) -> RunOut:
    """A run as a reader sees it: one left running by an ended process shows as stopped."""
    status, why = run_status(run)
    message = run.message if why is None else "; ".join(filter(None, (why, run.message)))
    return RunOut.model_validate(run).model_copy(
        update={"status": status, "message": message, "epoch_count": epochs}
    )


def runs_page(at: Paging, where: Any, status: str | None) -> Page:
    """A page of runs in id order, each with how many epochs it has written so far."""
    statement = select(Run).where(where).order_by(Run.id)
    if status is not None:
        statement = statement.where(Run.status == status)
    rows, total = read_page(statement, at)
    counts = epoch_counts([run.id for run in rows])
    return page_of(rows, total, at, lambda run: run_out(run, counts[run.id]))


@router.get("/runs", response_model=Page[RunOut])
def list_runs(
    at: PageQuery, visible: Annotated[bool, Depends(sees_data)], status: StatusQuery = None
) -> Page:
    """Every run, oldest first: status, message, epochs so far."""
    if not visible:
        return empty_page(at)
    return runs_page(at, true(), status)


@items.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: RunId) -> RunOut:
    """One run: its status, message, performance and epochs so far."""
    run = Run.get_by_id(run_id)
    return run_out(run, epoch_counts([run.id])[run.id])


@items.get("/runs/{run_id}/epochs", response_model=Page[EpochOut])
def run_epochs(run_id: RunId, at: PageQuery) -> Page:
    """A page of a run's epochs, in order, with the metrics of each (readable while it runs)."""
    Run.get_by_id(run_id)
    statement = select(EpochMetrics).where(EpochMetrics.run_id == run_id)
    rows, total = read_page(statement.order_by(EpochMetrics.epoch), at)
    return page_of(rows, total, at, EpochOut.model_validate)


router.include_router(items)
