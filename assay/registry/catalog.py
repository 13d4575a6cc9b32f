"""Registered models: create (a name unique in its context), find, edit, delete, history."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from assay.errors import Frozen, InvalidArgument, NotFound
from assay.registry.access import (
    MODEL_FIELDS,
    changes,
    check_id,
    model_row,
    refresh,
    snapshot,
    touch,
    version_row,
)
from assay.registry.audit import AuditEntry, current_user, record
from assay.registry.checks import (
    check_flag,
    check_sort,
    clean_name,
    clean_tags,
    clean_text,
)
from assay.registry.tables import ModelVersion, RegisteredModel
from assay.registry.versions import remove_versions
from assay.store import reading, transaction
from assay.store.session import lock_table

#: The fields ``model.edit`` changes, and how each is checked.
EDITABLE = {
    "name": clean_name,
    "description": lambda value: clean_text(value, "description"),
    "tags": clean_tags,
    "is_starred": lambda value: check_flag(value, "is_starred"),
}


def create_model(
    name: str,
    context: str = "default",
    tags: str | list[str] | None = None,
    description: str | None = None,
) -> RegisteredModel:
    """A new model, named uniquely within its context.

    Args:
        name: Unique in ``context``; no surrounding spaces, no ``/``.
        context: The context (a team, a project) it belongs to.
        tags: A list or a comma-separated str; each at most 32 characters.
        description: Markdown text, editable any time.

    Raises:
        InvalidArgument: A bad argument, or a name taken in the context.
    """
    values = {
        "name": clean_name(name),
        "context": clean_name(context, "context"),
        "tags": clean_tags(tags),
        "description": clean_text(description, "description"),
    }
    user = current_user()
    with transaction() as db:
        check_free(db, values["context"], values["name"])
        model = RegisteredModel(**values, created_by=user, updated_by=user)
        db.add(model)
        db.flush()
        record(db, "create", model, after=snapshot(model, MODEL_FIELDS))
    return model


def check_free(db: Session, context: str, name: str) -> None:
    """Refuse a name that a model of the context has (holding the name lock until commit)."""
    lock_table(db, f"registeredmodel:{context}")
    statement = select(RegisteredModel.id).where(
        RegisteredModel.context == context, RegisteredModel.name == name
    )
    taken = db.scalar(statement)
    if taken is not None:
        raise InvalidArgument(
            f"name {name!r} is taken by model {taken} in context {context!r}; choose another "
            f"name, or open that model with Registry().model({name!r})."
        )


def get_model(context: str, name: str | int) -> RegisteredModel:
    """The model named ``name`` in ``context`` (or with the id ``name``).

    Raises:
        NotFound: Naming the context and suggesting how to list its models.
    """
    if isinstance(name, int) and not isinstance(name, bool):
        with reading() as db:
            return model_row(db, name)
    clean_name(name)
    statement = select(RegisteredModel).where(
        RegisteredModel.context == context, RegisteredModel.name == name
    )
    with reading() as db:
        found = db.scalar(statement)
    if found is None:
        raise NotFound(
            f"no model named {name!r} in context {context!r}; Registry().models() lists them."
        )
    return found


def find_models(
    context: str,
    search: str | None = None,
    tags: str | list[str] | None = None,
    sort_by: str = "name",
    ascending: bool = True,
) -> list[RegisteredModel]:
    """The models of a context whose name contains ``search`` and that have every tag.

    Args:
        context: The context to list.
        search: Part of the name, any case; None lists all.
        tags: Tags that each model must have (exact), as a list or comma-separated str.
        sort_by: ``name``, ``time_created`` or ``time_updated``.
        ascending: Sort direction.
    """
    wanted = clean_tags(tags)
    sort_by, ascending = check_sort(sort_by, ascending)
    search = clean_text(search, "search")
    column = getattr(RegisteredModel, sort_by)
    statement = select(RegisteredModel).where(RegisteredModel.context == context)
    if search:
        statement = statement.where(
            func.lower(RegisteredModel.name).contains(search.lower(), autoescape=True)
        )
    for tag in wanted:  # narrows in SQL on the stored JSON text; the exact test follows
        as_text = cast(RegisteredModel.tags, Text)
        statement = statement.where(as_text.contains(json.dumps(tag), autoescape=True))
    direction = "asc" if ascending else "desc"
    order = (getattr(column, direction)(), getattr(RegisteredModel.id, direction)())
    with reading() as db:
        found = list(db.scalars(statement.order_by(*order)))
    return [model for model in found if set(wanted) <= set(model.tags)]


def edit_model(row: RegisteredModel, values: dict[str, Any]) -> RegisteredModel:
    """Change the name, description, tags (or star) of a model; records the change.

    Raises:
        InvalidArgument: A field that cannot be edited, a bad value, or a name taken.
    """
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise InvalidArgument(
            f"{unknown[0]!r} is not an editable field of a model; editable: "
            f"{', '.join(sorted(EDITABLE))}."
        )
    cleaned = {key: EDITABLE[key](value) for key, value in values.items()}
    with transaction() as db:
        model = model_row(db, row.id, for_update=True)
        before, after = changes(model, cleaned)
        if "name" in after:
            check_free(db, model.context, after["name"])
        if after:
            for key, value in after.items():
                setattr(model, key, value)
            touch(model)
            db.flush()
            record(db, "edit", model, before=before, after=after)
    return refresh(row, model)


def delete_model(model_id: int, force: bool = False) -> dict[str, int]:
    """Delete a model with its versions and formats; published versions need ``force``.

    Raises:
        Frozen: A version is published and ``force`` is False.
    """
    check_flag(force, "force")
    with transaction() as db:
        model = model_row(db, model_id, for_update=True)
        versions = list(
            db.scalars(
                select(ModelVersion)
                .where(ModelVersion.model_id == model.id)
                .order_by(ModelVersion.version)
            )
        )
        published = [v.version for v in versions if v.is_published]
        if published and not force:
            raise Frozen(
                f"model {model.name!r} has published versions ({', '.join(map(str, published))}); "
                "delete(force=True) deletes them too, and the deletion is recorded."
            )
        counts = remove_versions(db, model, versions)
        record(db, "delete", model, before=snapshot(model, MODEL_FIELDS))
        db.delete(model)
    return {"RegisteredModel": 1, **counts}


def model_history(model_id: int) -> list[AuditEntry]:
    """The audit entries of a model and its versions, oldest first (also once deleted)."""
    check_id(model_id, "model")
    statement = select(AuditEntry).where(AuditEntry.model_id == model_id)
    with reading() as db:
        return list(db.scalars(statement.order_by(AuditEntry.id)))


def version_history(version_id: int) -> list[AuditEntry]:
    """The audit entries of one version, oldest first."""
    with reading() as db:
        version_row(db, version_id)
        statement = select(AuditEntry).where(AuditEntry.version_id == version_id)
        return list(db.scalars(statement.order_by(AuditEntry.id)))
