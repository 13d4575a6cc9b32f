"""The web dashboard: Models, Runs, Predictions and Datasets pages over the metastore.

Server-rendered Jinja2 pages with a small script of our own (``static/dashboard.js``: forms
post normally, live parts poll with ``fetch``) and Plotly.js served from the installed plotly
package; no CDN, no JavaScript build step. ``install(app)`` adds it to the server's app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from assay.errors import NotAuthenticated
from assay.server.auth import authenticate
from assay.server.dashboard import data, models, runs
from assay.server.dashboard.errors import DashboardRoute
from assay.server.dashboard.render import STATIC, page, redirect
from assay.server.dashboard.session import (
    CSRF,
    Viewer,
    csrf_token,
    log_in,
    page_permission,
)
from assay.server.settings import ServerSettings

#: The session cookie's name, and how long a session lasts without a new login (8 hours).
COOKIE, SESSION_SECONDS = "assay_session", 8 * 3600
router = APIRouter(route_class=DashboardRoute, include_in_schema=False)


def plotly_js() -> Path:
    """The plotly.min.js that the installed plotly package ships."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@router.get("/static/plotly.min.js")
def serve_plotly() -> FileResponse:
    """Plotly.js, from the plotly package (cached by the browser for a day)."""
    return FileResponse(plotly_js(), headers={"Cache-Control": "public, max-age=86400"})


@router.get("/login")
def login_page(request: Request, next: str = "/models") -> Response:
    """The login form: a token, as ``assay token create`` printed it."""
    return page(request, "login.html", next=safe_next(next))


def safe_next(target: str) -> str:
    """Where to go after logging in: a path of this site only."""
    return target if target.startswith("/") and not target.startswith("//") else "/models"


@router.post("/login")
async def login(
    request: Request,
    token: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/models",
) -> Response:
    """Check the token and start a session; a wrong token shows the form again, with why."""
    if csrf != request.session.get(CSRF):
        return page(request, "login.html", 403, next=safe_next(next), error="Reload the page.")
    try:
        principal = await run_in_threadpool(authenticate, token.strip())
    except NotAuthenticated as error:
        return page(request, "login.html", 401, next=safe_next(next), error=str(error))
    log_in(request, principal)
    return redirect(request, safe_next(next), f"Logged in as {principal.user}.")


@router.post("/logout")
def logout(request: Request, who: Viewer) -> Response:
    """End the session."""
    request.session.clear()
    csrf_token(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(who: Viewer) -> Response:
    """The Models page."""
    return RedirectResponse("/models", status_code=303)


#: Pages anyone may open: the login form and Plotly.js.
PUBLIC = {"/login", "/static/plotly.min.js"}


#: The dashboard's routers.
ROUTERS = (router, models.router, runs.router, data.router)


def check_pages() -> None:
    """Refuse a dashboard page that the permission table does not list (as for the API)."""
    for pages in ROUTERS:
        for route in pages.routes:
            if isinstance(route, DashboardRoute) and route.path not in PUBLIC:
                for method in route.methods - {"HEAD"}:
                    page_permission(method, route.path)


def install(app: FastAPI, settings: ServerSettings) -> None:
    """Add the dashboard's pages, static files and session cookie to the server's app."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie=COOKIE,
        max_age=SESSION_SECONDS,
        same_site="strict",
        https_only=False,
    )
    check_pages()
    for pages in ROUTERS:
        app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
