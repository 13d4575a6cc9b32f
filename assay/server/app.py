"""The server's FastAPI app: the REST API under ``/api/v1`` and the dashboard beside it.

``create_app()`` builds it on the current metastore; ``assay server`` serves it with Uvicorn.
The API's routes live one module per resource in ``assay.server.routes``; each is thin and
delegates to the packages that do the work (``assay.registry``, ``assay.orm``,
``assay.evaluate``). Every API route is checked by ``assay.server.auth.authorize``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from assay.server import errors
from assay.server.auth import API, authorize, permission_for
from assay.server.settings import MULTIPART_SLACK, ServerSettings


def api_router() -> APIRouter:
    """Every ``/api/v1`` route, each behind ``authorize``."""
    from assay.server.routes import (
        datasets,
        formats,
        me,
        models,
        predictions,
        queues,
        runs,
        tokens,
        versions,
    )

    router = APIRouter(prefix=API, dependencies=[Depends(authorize)])
    resources = (me, datasets, queues, runs, predictions, models, versions, formats, tokens)
    for module in resources:
        router.include_router(module.router)
    return router


def api_operations(app: FastAPI) -> list[tuple[str, str]]:
    """``(method, path)`` of every API route, as the OpenAPI schema lists them."""
    paths = app.openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith(API)
        for method in operations
    ]


def check_permissions(app: FastAPI) -> None:
    """Refuse an app with an API route that the permission table does not list."""
    for method, path in api_operations(app):
        permission_for(method, path)
    app.openapi_schema = None  # built again on first request, with every router included


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The server's app on the current metastore.

    Args:
        settings: Upload limit, session secret, the context of experiments;
            ``ServerSettings.from_env()`` when None.
    """
    settings = settings or ServerSettings.from_env()
    app = FastAPI(
        title="assay",
        summary="Datasets, runs, predictions and the model registry of an assay metastore.",
        version="1",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        # the whole body of any request; an upload's file alone is held to the exact limit
        max_body_size=settings.max_upload_bytes + MULTIPART_SLACK,
    )
    app.state.settings = settings
    errors.install(app)
    app.include_router(api_router())
    from assay.server.dashboard import install as install_dashboard

    install_dashboard(app, settings)
    check_permissions(app)
    return app
