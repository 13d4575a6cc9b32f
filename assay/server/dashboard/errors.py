"""What a dashboard page does when something goes wrong: a page, never a JSON error.

A GET that fails shows an error page with the status the API would give (404 for a model of
another context, 403 for a role that lacks the permission); a form that fails goes back to
the page it came from with the error as a message, nothing written. No session: the login
page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from assay.errors import AssayError
from assay.server.dashboard.render import flash, page
from assay.server.dashboard.session import LoginRequired
from assay.server.errors import status_of


class DashboardRoute(APIRoute):
    """A dashboard page: assay's errors become a page or a message, no session the login page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The page's handler, with assay's errors and a missing session handled as above."""
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except LoginRequired:
                if request.method != "GET":
                    return RedirectResponse("/login", status_code=303)
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            except AssayError as error:
                if request.method == "GET":
                    status = status_of(error)
                    return page(request, "error.html", status, error=str(error), status=status)
                flash(request, str(error), "error")
                back = request.headers.get("referer") or ""
                same_site = back.startswith(str(request.base_url))
                return RedirectResponse(back if same_site else "/", status_code=303)

        return handler
