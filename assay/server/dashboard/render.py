"""Pages as HTML: the templates, markdown made safe, messages carried over a redirect.

Jinja2 escapes every value; a markdown description is rendered by markdown-it-py with raw
HTML off, so ``<script>`` in a description shows as text and never runs, and links other
than http(s), mailto and relative ones are dropped by markdown-it's own link check.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from assay.server.dashboard.session import ROLE, USER, csrf_token

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
FLASH = "flash"


@cache
def templates() -> Jinja2Templates:
    """The dashboard's templates, with the ``markdown`` and ``tojson_safe`` filters."""
    found = Jinja2Templates(directory=str(TEMPLATES))
    found.env.filters["markdown"] = markdown
    found.env.filters["pretty"] = lambda value: json.dumps(value, indent=1, default=str)
    return found


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def markdown(text: str | None) -> Markup:
    """Markdown as safe HTML: raw HTML in it is escaped, unsafe link schemes dropped."""
    return Markup(_markdown().render(text or ""))


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` for the logged-in user (messages from a redirect shown once)."""
    session = request.session
    return templates().TemplateResponse(
        request,
        name,
        {
            "user": session.get(USER),
            "role": session.get(ROLE),
            "csrf": csrf_token(request),
            "messages": session.pop(FLASH, []),
            **context,
        },
        status_code=status_code,
    )


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """Show ``message`` on the next page this browser opens."""
    request.session.setdefault(FLASH, []).append({"kind": kind, "text": message})


def redirect(request: Request, url: str, message: str | None = None) -> RedirectResponse:
    """Go to ``url`` after a form (303: the browser follows it with a GET)."""
    if message:
        flash(request, message)
    return RedirectResponse(url, status_code=303)
