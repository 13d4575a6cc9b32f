"""The web dashboard: Models, Runs, Predictions and Datasets pages over the metastore.

Server-rendered Jinja2 pages with a small script of our own (``static/dashboard.js``: forms
post normally, live parts poll with ``fetch``) and Plotly.js served from the installed plotly
package; no CDN, no JavaScript build step. ``install(app)`` adds it to the server's app.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from assay.server.dashboard import data, login, models, runs
from assay.server.dashboard.errors import DashboardRoute
from assay.server.dashboard.render import STATIC
from assay.server.dashboard.session import page_permission
from assay.server.settings import ServerSettings

#: The session cookie's name, and how long a session lasts without a new login (8 hours).
COOKIE, SESSION_SECONDS = "assay_session", 8 * 3600
#: The dashboard's routers.
ROUTERS = (login.router, models.router, runs.router, data.router)
#: Pages anyone may open: the login form and Plotly.js.
PUBLIC = {"/login", "/static/plotly.min.js"}


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
