"""The registry's audit log: who changed what, when, with the values before and after.

Every write of the registry adds one ``AuditEntry`` in its own transaction, so a change and
its record commit together or not at all. The rows are append-only: database triggers
(``assay.registry.triggers``) refuse any UPDATE or DELETE of them, on SQLite and PostgreSQL alike.

Who acts is the OS user (``getpass.getuser()``) unless a caller says otherwise with
``acting_as(user)``: the server sets it to the user of the request's token.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from assay.orm.base import Base, utcnow
from assay.registry.checks import clean_name

if TYPE_CHECKING:
    from assay.registry.tables import ModelVersion, RegisteredModel

#: What an entry records: the kinds of change.
ACTIONS = ("create", "edit", "upload", "replace", "delete", "publish")

_USER: ContextVar[str | None] = ContextVar("assay_registry_user", default=None)


def current_user() -> str:
    """Who is acting: the user set by ``acting_as``, else the OS user."""
    user = _USER.get()
    if user is not None:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return "unknown"


@contextmanager
def acting_as(user: str) -> Iterator[None]:
    """Record registry changes made inside the block as made by ``user``.

    The server wraps each request in it with the user of the request's token; the value is
    local to the thread or task, so concurrent requests never mix their users.
    """
    token = _USER.set(clean_name(user, "user"))
    try:
        yield
    finally:
        _USER.reset(token)


class AuditEntry(Base):
    """One change to the registry; never updated or deleted.

    ``model_id`` and ``version_id`` are plain numbers, not foreign keys: an entry outlives
    what it describes, so that deleting a model leaves its history readable.
    """

    __tablename__ = "registryaudit"

    id: Mapped[int] = mapped_column(primary_key=True)
    time_created: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(16))
    context: Mapped[str] = mapped_column(String(255))
    model_id: Mapped[int] = mapped_column(index=True)
    model_name: Mapped[str] = mapped_column(String(255))
    version_id: Mapped[int | None] = mapped_column(index=True)
    version: Mapped[int | None]
    format_id: Mapped[str | None] = mapped_column(String(32))
    #: True for the deletion of a published version (``delete(force=True)``).
    forced: Mapped[bool] = mapped_column(default=False)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)

    def __repr__(self) -> str:
        what = self.model_name + (f" v{self.version}" if self.version is not None else "")
        if self.format_id:
            what += f" {self.format_id}"
        stamp = self.time_created.strftime("%Y-%m-%d %H:%M:%S")
        return f"<AuditEntry {self.id} {stamp} {self.user} {self.action} {what}>"

    def to_dict(self) -> dict[str, Any]:
        """The entry as plain values, e.g. for a table or a JSON response."""
        return {column.key: getattr(self, column.key) for column in self.__table__.columns}


def record(
    db: Session,
    action: str,
    model: RegisteredModel,
    version: ModelVersion | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an entry for a change made in ``db``'s transaction.

    Args:
        db: The session of the transaction that makes the change.
        action: One of ``ACTIONS``.
        model: The model changed, or whose version changed.
        version: The version changed, if any.
        **details: ``format_id``, ``forced``, ``before``, ``after`` as they apply.
    """
    assert action in ACTIONS, action
    entry = AuditEntry(
        user=current_user(),
        action=action,
        context=model.context,
        model_id=model.id,
        model_name=model.name,
        version_id=None if version is None else version.id,
        version=None if version is None else version.version,
        **details,
    )
    db.add(entry)
    return entry
