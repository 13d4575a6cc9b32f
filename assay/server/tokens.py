"""API tokens: made, listed, revoked and checked, on the current metastore.

A token is ``assay_`` and 43 random URL-safe characters (``secrets.token_urlsafe(32)``). It is
shown once, by ``create_token``; the metastore keeps its SHA-256 and its first characters
(the ``prefix``, enough to tell tokens apart in a listing and to revoke one by it).
``verify`` finds a token's row by its hash and refuses it once it has expired or been
revoked.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from assay.errors import InvalidArgument, NotAuthenticated, NotFound
from assay.orm.base import utcnow
from assay.registry.checks import clean_name
from assay.server.tables import ROLES, ApiToken
from assay.store import reading, transaction

#: What every token starts with, so that a leaked one is easy to recognise (and to scan for).
TOKEN_MARK = "assay_"
#: How many characters of a token its ``prefix`` keeps (the mark and 6 random ones).
PREFIX_LENGTH = len(TOKEN_MARK) + 6
#: ``last_used_at`` is written at most this often per token, so reads stay reads.
USE_RESOLUTION = timedelta(minutes=1)
#: Units of ``--expires``: minutes, hours, days, weeks.
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: its row, and its secret, which nothing else ever shows again."""

    row: ApiToken
    secret: str


def hash_token(secret: str) -> str:
    """The SHA-256 (hex) under which a token's row is kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_lifetime(value: str | timedelta | None) -> timedelta | None:
    """A token's lifetime: ``"30d"``, ``"12h"``, ``"90m"``, ``"2w"``, a timedelta, or None.

    Raises:
        InvalidArgument: Any other value, or a lifetime that is not positive.
    """
    if value is None or isinstance(value, timedelta):
        lifetime = value
    elif isinstance(value, str) and (found := re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", value)):
        lifetime = timedelta(**{UNITS[found.group(2)]: int(found.group(1))})
    else:
        raise InvalidArgument(
            "expires must be a number and a unit (m, h, d or w), e.g. '30d' or '12h'; "
            f"got {value!r}."
        )
    if lifetime is not None and lifetime <= timedelta(0):
        raise InvalidArgument(f"expires must be a positive lifetime; got {value!r}.")
    return lifetime


def check_role(role: str) -> str:
    """A known role."""
    if role not in ROLES:
        raise InvalidArgument(f"role must be one of {', '.join(ROLES)}; got {role!r}.")
    return role


def create_token(
    user: str,
    context: str = "default",
    role: str = "viewer",
    expires: str | timedelta | None = None,
) -> IssuedToken:
    """Make a token for ``user`` with ``role`` in ``context``; its secret is returned once.

    Args:
        user: Who uses it; the registry records changes made with it under this name.
        context: The context it works in (models of other contexts are invisible to it).
        role: ``viewer``, ``editor``, ``publisher`` or ``admin``.
        expires: Its lifetime (``"30d"``, ``"12h"``...); None never expires.

    Raises:
        InvalidArgument: A bad argument; nothing is written.
    """
    values = {
        "user": clean_name(user, "user"),
        "context": clean_name(context, "context"),
        "role": check_role(role),
    }
    lifetime = parse_lifetime(expires)
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    row = ApiToken(
        **values,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_LENGTH],
        expires_at=None if lifetime is None else utcnow() + lifetime,
    )
    with transaction() as db:
        db.add(row)
    return IssuedToken(row, secret)


def list_tokens(context: str | None = None) -> list[ApiToken]:
    """Every token (of one context, when given), oldest first, revoked and expired ones too."""
    statement = select(ApiToken).order_by(ApiToken.id)
    if context is not None:
        statement = statement.where(ApiToken.context == clean_name(context, "context"))
    with reading() as db:
        return list(db.scalars(statement))


def find_token(key: int | str, context: str | None = None) -> ApiToken:
    """A token by id, or by its prefix (``assay_AbC123``), in ``context`` when given.

    Raises:
        NotFound: No such token (in that context), or a prefix that several tokens share.
    """
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise InvalidArgument(f"token must be an id (int) or a prefix (str); got {key!r}.")
    if isinstance(key, str) and key.isdigit():
        key = int(key)
    column = ApiToken.id if isinstance(key, int) else ApiToken.prefix
    statement = select(ApiToken).where(column == key)
    if context is not None:
        statement = statement.where(ApiToken.context == context)
    with reading() as db:
        found = list(db.scalars(statement.limit(2)))
    if len(found) != 1:
        why = "does not exist" if not found else "is shared by several tokens; use the id"
        raise NotFound(f"token {key!r} {why}; `assay token list` lists them.")
    return found[0]


def revoke_token(key: int | str, context: str | None = None) -> ApiToken:
    """Revoke a token (by id or prefix): from now on the server refuses it.

    Revoking a revoked token changes nothing and keeps the time of the first revocation.

    Raises:
        NotFound: No such token (in ``context``, when given).
    """
    row = find_token(key, context)
    if row.revoked_at is None:
        now = utcnow()
        with transaction() as db:
            db.execute(
                update(ApiToken)
                .where(ApiToken.id == row.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        row.revoked_at = now
    return row


def verify(secret: str) -> ApiToken:
    """The row of a valid token, noting when it was used (at most once a minute).

    Raises:
        NotAuthenticated: An unknown, expired or revoked token.
    """
    if not isinstance(secret, str) or not secret.startswith(TOKEN_MARK):
        raise NotAuthenticated("the token is not an assay token (they start with 'assay_').")
    with reading() as db:
        row = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = utcnow()
    if row is None:
        raise NotAuthenticated("the token is unknown; `assay token create` makes one.")
    check_usable(row, now)
    if row.last_used_at is None or now - row.last_used_at >= USE_RESOLUTION:
        with transaction() as db:
            db.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        row.last_used_at = now
    return row


def check_usable(row: ApiToken, now: datetime) -> None:
    """Refuse a token that was revoked or has expired: the one rule of the API and dashboard.

    Raises:
        NotAuthenticated: The token was revoked, or expired, saying when.
    """
    if row.revoked_at is not None:
        raise NotAuthenticated(f"the token {row.prefix}... was revoked at {stamp(row.revoked_at)}.")
    if row.expires_at is not None and row.expires_at <= now:
        raise NotAuthenticated(f"the token {row.prefix}... expired at {stamp(row.expires_at)}.")


def stamp(moment: datetime) -> str:
    """A time for messages, in UTC to the second."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
