"""``/me``: who the token belongs to, its context, role and permissions."""

from __future__ import annotations

from fastapi import APIRouter

from assay.server.auth import Caller
from assay.server.schemas import Me

router = APIRouter(tags=["me"])


@router.get("/me", response_model=Me)
def me(caller: Caller) -> Me:
    """The caller's user, context, role and permissions."""
    return Me(
        user=caller.user,
        context=caller.context,
        role=caller.role,
        permissions=sorted(caller.permissions),
    )
