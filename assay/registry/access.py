"""Rows of the registry as the writers need them: found, locked, checked, described.

Every helper takes the session of the caller's transaction and raises the error a user
should see (``NotFound`` naming what is missing and what exists, ``Frozen`` for a published
version) before anything is written.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.errors import Frozen, InvalidArgument, NotFound
from assay.orm.base import utcnow
from assay.registry.audit import current_user
from assay.registry.tables import ModelVersion, RegisteredModel, VersionFormat

R = TypeVar("R", RegisteredModel, ModelVersion)
#: Fields of a model that the audit log shows before and after a change.
MODEL_FIELDS = ("name", "context", "description", "tags", "is_starred")
#: Fields of a version that the audit log shows before and after a change.
VERSION_FIELDS = (
    "version",
    "description",
    "tags",
    "hyperparameters",
    "config",
    "records",
    "performance",
    "predictor_id",
    "is_starred",
    "is_published",
)


def check_id(value: Any, argument: str) -> int:
    """A row id: an int."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{argument} must be an int; got {type(value).__name__} {value!r}.")
    return value


def model_row(db: Session, model_id: int, for_update: bool = False) -> RegisteredModel:
    """The model with this id, locked against concurrent writers when ``for_update``."""
    return row_by_id(db, RegisteredModel, model_id, for_update)


def version_row(db: Session, version_id: int, for_update: bool = False) -> ModelVersion:
    """The version with this id (a row id, not its number), locked when ``for_update``."""
    return row_by_id(db, ModelVersion, version_id, for_update)


def row_by_id(db: Session, table: type[R], row_id: int, for_update: bool) -> R:
    """A row by id; with ``for_update``, locked and read afresh (not from the session's cache).

    Raises:
        NotFound: No row of ``table`` has the id.
    """
    statement = select(table).where(table.id == check_id(row_id, f"{table.__name__} id"))
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    row = db.scalar(statement)
    if row is None:
        raise NotFound(f"{table.__name__} with id {row_id} does not exist.")
    return row


def describe(db: Session, version: ModelVersion) -> str:
    """``model 'churn' version 3``, for messages."""
    model = db.get(RegisteredModel, version.model_id)
    name = model.name if model is not None else f"#{version.model_id}"
    return f"model {name!r} version {version.version}"


def writable_version(db: Session, version_id: int) -> ModelVersion:
    """The version, locked for a change, which it must still accept (not published).

    Raises:
        Frozen: The version is published.
    """
    version = version_row(db, version_id, for_update=True)
    if version.is_published:
        raise Frozen(
            f"{describe(db, version)} is published, so it and its formats cannot change. "
            "Create a new version with the change, or delete this one with delete(force=True)."
        )
    return version


def format_row(db: Session, version: ModelVersion, format_id: str) -> VersionFormat | None:
    """The file of ``format_id`` of a version, if it has one."""
    statement = select(VersionFormat).where(
        VersionFormat.version_id == version.id, VersionFormat.format_id == format_id
    )
    return db.scalar(statement)


def existing_format(db: Session, version: ModelVersion, format_id: str) -> VersionFormat:
    """The file of ``format_id`` of a version, which must exist.

    Raises:
        NotFound: Naming the formats the version has.
    """
    found = format_row(db, version, format_id)
    if found is None:
        statement = select(VersionFormat.format_id).where(VersionFormat.version_id == version.id)
        present = ", ".join(sorted(db.scalars(statement))) or "none"
        raise NotFound(
            f"{describe(db, version)} has no {format_id!r} file; its formats: {present}."
        )
    return found


def snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a row, for the audit log."""
    return {field: getattr(row, field) for field in fields}


def changes(row: Any, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that ``values`` would change on ``row``: before and after."""
    changed = {key: value for key, value in values.items() if getattr(row, key) != value}
    return {key: getattr(row, key) for key in changed}, changed


def touch(row: Any) -> None:
    """Mark a row as modified now by the current user."""
    row.time_updated = utcnow()
    row.updated_by = current_user()


def refresh(target: Any, source: Any) -> Any:
    """Copy the column values of a row just written onto the caller's (detached) copy."""
    for column in source.__table__.columns:
        setattr(target, column.key, getattr(source, column.key))
    return target
