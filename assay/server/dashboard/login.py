"""Logging in and out of the dashboard, its home page, and Plotly.js from the plotly package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from assay.errors import NotAuthenticated
from assay.server.auth import authenticate
from assay.server.dashboard.errors import DashboardRoute
from assay.server.dashboard.render import page, redirect
from assay.server.dashboard.session import CSRF, Viewer, csrf_token, log_in, log_out

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
    # "//host" and "/\\host" (browsers read a backslash as a slash) would leave the site.
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    return target if local else "/models"


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
    """End the session, and every other session of the same token (copies of the cookie too)."""
    log_out(request, who.token_id)
    csrf_token(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(who: Viewer) -> Response:
    """The Models page."""
    return RedirectResponse("/models", status_code=303)
