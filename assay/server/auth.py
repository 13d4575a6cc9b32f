"""Who calls, and what they may do: tokens to principals, roles to permissions, routes to both.

Every ``/api/v1`` route needs a permission, looked up in ``ROUTE_PERMISSIONS`` by its method
and path and checked by one dependency, ``authorize``, that the API router applies to all of
its routes; no handler checks a permission itself. A route missing from the table is a
programming error that ``create_app`` refuses at start-up.

A role grants permissions within the token's context only; what belongs to another context
is reported as not found (404), so that names do not leak across contexts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from assay.errors import NotAuthenticated, PermissionDenied
from assay.registry.audit import acting_as
from assay.server.tables import ROLES, ApiToken
from assay.server.tokens import verify

#: What each role adds to the permissions of the role before it.
ROLE_ADDS = {
    "viewer": ("model:view", "run:view", "data:view"),
    "editor": ("model:edit",),
    "publisher": ("model:publish",),
    "admin": ("model:delete", "token:admin"),
}


def cumulative(adds: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Each role's permissions: what it adds and what every role before it grants."""
    granted: set[str] = set()
    out = {}
    for role in ROLES:
        granted |= set(adds[role])
        out[role] = frozenset(granted)
    return out


#: What each role may do, within its token's context.
ROLE_PERMISSIONS = cumulative(ROLE_ADDS)
#: Every permission there is.
PERMISSIONS = ROLE_PERMISSIONS["admin"]
#: The table's value for a route that any valid token may call (``/me``).
ANY_TOKEN = None

#: Where the API is served; its routes' paths below are relative to it.
API = "/api/v1"
#: ``(method, path under API)`` of every API route -> the permission it needs.
ROUTE_PERMISSIONS: dict[tuple[str, str], str | None] = {
    ("GET", "/me"): ANY_TOKEN,
    # datasets
    ("GET", "/datasets"): "data:view",
    ("GET", "/datasets/{dataset_id}"): "data:view",
    ("GET", "/datasets/{dataset_id}/rows"): "data:view",
    # queues and runs
    ("GET", "/queues"): "run:view",
    ("GET", "/queues/{queue_id}"): "run:view",
    ("GET", "/queues/{queue_id}/runs"): "run:view",
    ("GET", "/runs"): "run:view",
    ("GET", "/runs/{run_id}"): "run:view",
    ("GET", "/runs/{run_id}/epochs"): "run:view",
    # predictions
    ("GET", "/predictions"): "run:view",
    ("GET", "/predictions/{prediction_id}"): "run:view",
    ("GET", "/predictions/{prediction_id}/curves"): "run:view",
    ("GET", "/predictions/{prediction_id}/confusion"): "run:view",
    ("GET", "/predictions/{prediction_id}/confusion/{split}/records"): "data:view",
    # the registry: models
    ("GET", "/formats"): "model:view",
    ("GET", "/models"): "model:view",
    ("POST", "/models"): "model:edit",
    ("GET", "/models/by-name/{name}"): "model:view",
    ("GET", "/models/{model_id}"): "model:view",
    ("PATCH", "/models/{model_id}"): "model:edit",
    ("DELETE", "/models/{model_id}"): "model:delete",
    ("GET", "/models/{model_id}/history"): "model:view",
    # versions
    ("GET", "/models/{model_id}/versions"): "model:view",
    ("POST", "/models/{model_id}/versions"): "model:edit",
    ("GET", "/models/{model_id}/latest"): "model:view",
    ("GET", "/models/{model_id}/versions/{number}"): "model:view",
    ("PATCH", "/models/{model_id}/versions/{number}"): "model:edit",
    ("DELETE", "/models/{model_id}/versions/{number}"): "model:delete",
    ("POST", "/models/{model_id}/versions/{number}/publish"): "model:publish",
    ("GET", "/models/{model_id}/versions/{number}/history"): "model:view",
    ("GET", "/models/{model_id}/versions/{number}/lineage"): "model:view",
    # a version's files
    ("GET", "/models/{model_id}/versions/{number}/formats"): "model:view",
    ("POST", "/models/{model_id}/versions/{number}/formats/{format_id}"): "model:edit",
    ("PUT", "/models/{model_id}/versions/{number}/formats/{format_id}"): "model:edit",
    ("GET", "/models/{model_id}/versions/{number}/formats/{format_id}"): "model:view",
    (
        "DELETE",
        "/models/{model_id}/versions/{number}/formats/{format_id}",
    ): "model:edit",
    # tokens, for the admins of a context
    ("GET", "/tokens"): "token:admin",
    ("POST", "/tokens"): "token:admin",
    ("DELETE", "/tokens/{token_id}"): "token:admin",
}


@dataclass(frozen=True)
class Principal:
    """The caller: the user, context and role of a valid token, and the token's id."""

    user: str
    context: str
    role: str
    token_id: int

    @classmethod
    def of(cls, row: ApiToken) -> Principal:
        """The principal a token's row names."""
        return cls(user=row.user, context=row.context, role=row.role, token_id=row.id)

    @property
    def permissions(self) -> frozenset[str]:
        """What the role grants."""
        return ROLE_PERMISSIONS[self.role]

    def can(self, permission: str | None) -> bool:
        """Whether the role grants ``permission`` (None: any valid token may)."""
        return permission is None or permission in self.permissions


def authenticate(token: str) -> Principal:
    """The principal of a valid token.

    Raises:
        NotAuthenticated: An unknown, expired or revoked token.
    """
    return Principal.of(verify(token))


def permission_for(method: str, path: str) -> str | None:
    """The permission a route needs, from ``ROUTE_PERMISSIONS``.

    Args:
        method: The HTTP method.
        path: The route's path, with or without the ``API`` prefix (FastAPI gives a route
            of an included router its path with the prefix or without it, by version).

    Raises:
        LookupError: The route is not in the table (``create_app`` refuses such an app).
    """
    key = (method.upper(), path.removeprefix(API))
    if key not in ROUTE_PERMISSIONS:
        raise LookupError(f"{method} {path} has no permission in assay.server.auth.")
    return ROUTE_PERMISSIONS[key]


bearer = HTTPBearer(auto_error=False, description="An assay token: `assay token create`.")


async def authorize(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AsyncIterator[Principal]:
    """The caller of an API route, allowed to call it; changes it makes are recorded as its user.

    Raises:
        NotAuthenticated: No bearer token, or one that is not valid (401).
        PermissionDenied: The token's role lacks the route's permission (403).
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("this call needs a token: send 'Authorization: Bearer <token>'.")
    route = request.scope["route"]
    needed = permission_for(request.method, route.path)
    principal = await run_in_threadpool(authenticate, credentials.credentials)
    if not principal.can(needed):
        raise PermissionDenied(
            f"the role {principal.role!r} of user {principal.user!r} does not grant "
            f"{needed!r}, which {request.method} {route.path} needs."
        )
    with acting_as(principal.user):
        yield principal


#: The caller of a route, for handlers that need it (the check itself is the router's).
Caller = Annotated[Principal, Depends(authorize)]
