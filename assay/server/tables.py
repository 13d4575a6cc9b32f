"""API tokens: who may call the server, in which context, with which role.

A token is shown once when it is made; the metastore keeps its SHA-256 (``token_hash``) and
a short ``prefix`` to tell tokens apart in a listing. A token is valid until it expires or
is revoked; both are kept as times, so a listing says when. Logging out of the dashboard
sets ``sessions_ended_at``: a session cookie is signed, not stored, so the server refuses
every session of the token that started before then, copies of the cookie included.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from assay.orm.base import BaseModel, UtcDateTime

#: The roles a token may have, each granting what the one before it grants and more.
ROLES = ("viewer", "editor", "publisher", "admin")


class ApiToken(BaseModel):
    """One token: its user, context and role, the hash of its secret, and its lifetime."""

    __tablename__ = "apitoken"

    user: Mapped[str] = mapped_column(String(255), index=True)
    context: Mapped[str] = mapped_column(String(255), default="default")
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Dashboard sessions of this token started before this time have ended (a log-out).
    sessions_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… {self.user!r} {self.role} in {self.context!r}>"
