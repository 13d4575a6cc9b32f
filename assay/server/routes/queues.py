"""``/queues``: the Queues with how far their runs are, one Queue, a page of its runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select

from assay.orm.queue import Queue
from assay.orm.run import Run
from assay.server.paging import Page, PageQuery, empty_page, page_of, read_page
from assay.server.queries import status_counts
from assay.server.routes.runs import StatusQuery, runs_page
from assay.server.schemas import QueueOut, RunOut
from assay.server.scope import data_items_router, sees_data

router = APIRouter(tags=["queues"])
items = data_items_router()
QueueId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def queue_out(queue: Queue, counts: dict[str, int]) -> QueueOut:
    """A Queue with its runs counted by status."""
    return QueueOut.model_validate(queue).model_copy(update={"runs_by_status": counts})


@router.get("/queues", response_model=Page[QueueOut])
def list_queues(at: PageQuery, visible: Annotated[bool, Depends(sees_data)]) -> Page:
    """The Queues, newest first, each with its runs counted by status."""
    if not visible:
        return empty_page(at)
    rows, total = read_page(select(Queue).order_by(Queue.id.desc()), at)
    counts = status_counts([queue.id for queue in rows])
    return page_of(rows, total, at, lambda queue: queue_out(queue, counts[queue.id]))


@items.get("/queues/{queue_id}", response_model=QueueOut)
def get_queue(queue_id: QueueId) -> QueueOut:
    """One Queue, with its runs counted by status."""
    queue = Queue.get_by_id(queue_id)
    return queue_out(queue, status_counts([queue.id])[queue.id])


@items.get("/queues/{queue_id}/runs", response_model=Page[RunOut])
def queue_runs(queue_id: QueueId, at: PageQuery, status: StatusQuery = None) -> Page:
    """A page of a Queue's runs in order: status, message, epochs so far."""
    Queue.get_by_id(queue_id)
    return runs_page(at, Run.queue_id == queue_id, status)


router.include_router(items)
