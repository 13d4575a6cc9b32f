"""assay's errors as HTTP responses, in one place: the status each kind of error means.

A handler raises what the packages raise (``NotFound``, ``InvalidArgument``, ``Frozen``...);
these handlers turn each into its status with ``{"detail": message}``, as FastAPI does for
its own errors, and name the error's class in ``X-Assay-Error``, so that the remote
``Registry`` raises the class the local one would.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assay.errors import (
    AssayError,
    DataChanged,
    Frozen,
    InvalidArgument,
    MissingDependency,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StillNeeded,
)

#: The response header that names the class of the assay error behind a 4xx response.
ERROR_HEADER = "X-Assay-Error"
#: The status of each kind of error; the first class an error is an instance of wins.
STATUSES: tuple[tuple[type[AssayError], int], ...] = (
    (NotAuthenticated, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Frozen, 409),
    (StillNeeded, 409),
    (DataChanged, 409),
    (InvalidArgument, 400),
    (MissingDependency, 501),
)


def status_of(error: AssayError) -> int:
    """The HTTP status that an assay error means (400 for any other kind)."""
    for kind, status in STATUSES:
        if isinstance(error, kind):
            return status
    return 400


async def assay_error(request: Request, error: Exception) -> JSONResponse:
    """The response to an assay error raised while handling a request."""
    assert isinstance(error, AssayError)
    status = status_of(error)
    headers = {ERROR_HEADER: type(error).__name__}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"detail": str(error)}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Answer every assay error that a route raises with its status."""
    app.add_exception_handler(AssayError, assay_error)
