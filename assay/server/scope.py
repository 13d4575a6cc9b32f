"""Which context a caller sees: models by their own context, experiments by the server's.

Datasets, Queues, Runs and Predictions have no context of their own: they belong to the
server's ``data_context`` (``"default"`` unless ``ASSAY_DATA_CONTEXT`` says otherwise). A
token of another context gets empty lists of them and 404 for any one of them, as it does
for the models of a context not its own.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from assay.errors import NotFound
from assay.server.auth import Caller


def data_context(request: Request) -> str:
    """The context that the server's experiments belong to."""
    return request.app.state.settings.data_context


def sees_data(request: Request, caller: Caller) -> bool:
    """Whether the caller's context is the one the experiments belong to."""
    return caller.context == data_context(request)


def require_data_context(request: Request, caller: Caller) -> None:
    """Answer 404 to a caller of another context, as if the row did not exist."""
    if not sees_data(request, caller):
        raise NotFound(f"{request.url.path} does not exist in context {caller.context!r}.")


def data_items_router() -> APIRouter:
    """A router for routes of one experiment row: 404 for callers of other contexts."""
    return APIRouter(dependencies=[Depends(require_data_context)])
