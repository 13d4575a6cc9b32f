"""Who is logged in to the dashboard, and what each page needs: the session, CSRF, permissions.

Logging in checks a token once (``assay.server.auth.authenticate``) and keeps its id, user,
context and role in Starlette's signed session cookie (HttpOnly, SameSite=Strict); every
request checks again that the token is neither revoked nor expired, so revoking a token ends
its sessions too, and logging out ends every session of the token that started before it
(the cookie is signed, not stored: a copy of it is refused as well). Every form carries the session's CSRF token, checked on every POST. What a
page needs is looked up in ``PAGE_PERMISSIONS`` by one dependency, ``viewer``, that the
dashboard's router applies to all its pages, as the API does with its own table.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select, update
from starlette.concurrency import run_in_threadpool

from assay.errors import NotAuthenticated, PermissionDenied
from assay.orm.base import utcnow
from assay.registry.audit import acting_as
from assay.server.auth import Principal
from assay.server.tables import ApiToken
from assay.server.tokens import check_usable
from assay.store import reading, transaction

#: ``(method, path)`` of every dashboard page -> the permission it needs (None: any login).
PAGE_PERMISSIONS: dict[tuple[str, str], str | None] = {
    ("GET", "/"): None,
    ("POST", "/logout"): None,
    ("GET", "/models"): "model:view",
    ("POST", "/models"): "model:edit",
    ("GET", "/models/{model_id}"): "model:view",
    ("POST", "/models/{model_id}/edit"): "model:edit",
    ("GET", "/models/{model_id}/delete"): "model:delete",
    ("POST", "/models/{model_id}/delete"): "model:delete",
    ("POST", "/models/{model_id}/versions"): "model:edit",
    ("POST", "/models/{model_id}/versions/{number}/edit"): "model:edit",
    ("POST", "/models/{model_id}/versions/{number}/publish"): "model:publish",
    ("POST", "/models/{model_id}/versions/{number}/delete"): "model:delete",
    ("POST", "/models/{model_id}/versions/{number}/formats"): "model:edit",
    ("GET", "/models/{model_id}/versions/{number}/formats/{format_id}"): "model:view",
    ("POST", "/models/{model_id}/versions/{number}/formats/{format_id}/delete"): "model:edit",
    ("GET", "/queues"): "run:view",
    ("GET", "/queues/{queue_id}"): "run:view",
    ("GET", "/queues/{queue_id}/live"): "run:view",
    ("GET", "/runs/{run_id}"): "run:view",
    ("GET", "/runs/{run_id}/live"): "run:view",
    ("GET", "/predictions/{prediction_id}"): "run:view",
    ("GET", "/predictions/{prediction_id}/records"): "data:view",
    ("GET", "/datasets"): "data:view",
    ("GET", "/datasets/{dataset_id}"): "data:view",
}
#: The session's keys.
TOKEN_ID, USER, CONTEXT, ROLE, CSRF = "token_id", "user", "context", "role", "csrf"
#: When the session started (seconds since the epoch): a log-out ends the sessions before it.
STARTED = "started"


class LoginRequired(Exception):
    """The request has no valid session: the dashboard sends the browser to the login page."""


def log_in(request: Request, principal: Principal) -> None:
    """Start a session for a principal whose token was just checked."""
    request.session.clear()
    request.session.update(
        {
            TOKEN_ID: principal.token_id,
            USER: principal.user,
            CONTEXT: principal.context,
            ROLE: principal.role,
            CSRF: secrets.token_urlsafe(32),
            STARTED: utcnow().timestamp(),
        }
    )


def log_out(request: Request, token_id: int) -> None:
    """End every dashboard session of the token, this one and any copy of its cookie."""
    with transaction() as db:
        db.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(sessions_ended_at=utcnow())
        )
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The CSRF token of this session (one is made for a visitor who has none yet)."""
    token = request.session.get(CSRF)
    if token is None:
        token = request.session[CSRF] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose form does not carry this session's CSRF token."""
    if request.method != "POST":
        return
    form = await request.form()
    sent = form.get("csrf")
    expected = request.session.get(CSRF)
    if not isinstance(sent, str) or expected is None or not hmac.compare_digest(sent, expected):
        raise PermissionDenied("the form's CSRF token is missing or stale; reload the page.")


def session_principal(request: Request) -> Principal:
    """The logged-in principal, its token checked again (revoked or expired ends the session)."""
    token_id = request.session.get(TOKEN_ID)
    if token_id is None:
        raise LoginRequired()
    with reading() as db:
        row = db.scalar(select(ApiToken).where(ApiToken.id == token_id))
    if row is None or not session_is_current(row, request.session.get(STARTED)):
        request.session.clear()
        raise LoginRequired()
    return Principal.of(row)


def session_is_current(row: ApiToken, started: object) -> bool:
    """Whether a session started at ``started`` may go on: its token usable, no log-out since."""
    try:
        check_usable(row, utcnow())
    except NotAuthenticated:
        return False
    ended = row.sessions_ended_at
    return isinstance(started, int | float) and (ended is None or started > ended.timestamp())


def page_permission(method: str, path: str) -> str | None:
    """The permission a dashboard page needs, from ``PAGE_PERMISSIONS``."""
    key = (method.upper(), path)
    if key not in PAGE_PERMISSIONS:
        raise LookupError(f"{method} {path} has no permission in assay.server.dashboard.session.")
    return PAGE_PERMISSIONS[key]


async def viewer(
    request: Request, _: Annotated[None, Depends(check_csrf)]
) -> AsyncIterator[Principal]:
    """The logged-in principal, allowed to open this page; its changes are recorded as its user.

    Raises:
        LoginRequired: No session, or its token is no longer valid.
        PermissionDenied: The role lacks the page's permission, or a POST's CSRF token is wrong.
    """
    principal = await run_in_threadpool(session_principal, request)
    needed = page_permission(request.method, request.scope["route"].path)
    if not principal.can(needed):
        raise PermissionDenied(
            f"the role {principal.role!r} of {principal.user!r} does not grant {needed!r}."
        )
    with acting_as(principal.user):
        yield principal


#: The logged-in user of a page.
Viewer = Annotated[Principal, Depends(viewer)]
