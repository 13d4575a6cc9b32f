"""``/tokens``: the tokens of the caller's context, for its admins: list, create, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from assay.server.auth import Caller
from assay.server.schemas import TokenCreated, TokenIn, TokenOut
from assay.server.tables import ApiToken
from assay.server.tokens import create_token, list_tokens, revoke_token

router = APIRouter(tags=["tokens"])


@router.get("/tokens", response_model=list[TokenOut])
def get_tokens(caller: Caller) -> list[ApiToken]:
    """The tokens of the caller's context, revoked and expired ones too (never a secret)."""
    return list_tokens(caller.context)


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def post_token(body: TokenIn, caller: Caller) -> TokenCreated:
    """A new token in the caller's context; the response is the only time its secret is shown."""
    issued = create_token(body.user, caller.context, body.role, body.expires)
    listed = TokenOut.model_validate(issued.row).model_dump()
    return TokenCreated(**listed, token=issued.secret)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def delete_token(token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], caller: Caller) -> ApiToken:
    """Revoke a token of the caller's context; from now on the server refuses it."""
    return revoke_token(token_id, caller.context)
