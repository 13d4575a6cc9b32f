"""Versions of a registered model: create (numbered, at most 30 live), edit, publish, delete.

Numbers come from the model's ``last_version`` counter, read and raised while the model row
is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises
writers), so two processes never get the same number and a deleted number is never given
again, even the latest one.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from sqlalchemy import delete, func, select

from assay.errors import Frozen, InvalidArgument, NotFound
from assay.orm.base import check_text, utcnow
from assay.registry.access import (
    VERSION_FIELDS,
    changes,
    check_id,
    describe,
    model_row,
    refresh,
    snapshot,
    touch,
    version_row,
    writable_version,
)
from assay.registry.audit import current_user, record
from assay.registry.checks import (
    check_flag,
    check_number,
    clean_json,
    clean_json_object,
    clean_tags,
    clean_text,
)
from assay.registry.files import Staged, file_upload, release, staged_upload
from assay.registry.formats import get_format
from assay.registry.records import clean_records
from assay.registry.tables import ModelVersion, Source, VersionFormat
from assay.store import reading, transaction

#: The most live versions a model keeps.
MAX_VERSIONS = 30
#: The fields ``version.edit`` changes, and how each is checked.
EDITABLE = {
    "name": lambda value: checked_name(value),
    "description": lambda value: clean_text(value, "description"),
    "tags": clean_tags,
    "hyperparameters": lambda value: clean_json(value, "hyperparameters"),
    "config": lambda value: clean_json_object(value, "config"),
    "performance": lambda value: clean_json(value, "performance"),
    "is_starred": lambda value: check_flag(value, "is_starred"),
}


def checked_name(value: Any) -> str | None:
    """A version's optional short name (``set_info(name=...)``)."""
    check_text(value, "name")
    return value


def create_version(
    model_id: int,
    *,
    description: str | None = None,
    tags: str | list[str] | None = None,
    hyperparameters: Any = None,
    config: dict[str, Any] | None = None,
    records: list[Any] | None = None,
    formats: dict[str, Source] | None = None,
    performance: Any = None,
    predictor_id: int | None = None,
) -> ModelVersion:
    """A new version of a model, numbered one past the highest number it ever had.

    Args:
        model_id: The model's id.
        description: Markdown text.
        tags: A list or a comma-separated str; each at most 32 characters.
        hyperparameters: Any JSON value, usually a dict.
        config: A JSON object that a deployment reads.
        records: The training data: Dataset ids or Datasets, or references (str).
        formats: Files to upload with it, by format id (see ``add_format``).
        performance: Metrics, usually per split (``predictor.register`` sets it).
        predictor_id: The Predictor it was made from (``predictor.register`` sets it).

    Raises:
        InvalidArgument: A bad argument, an unknown format, or a 31st live version.
        NotFound: The model, or a Dataset in ``records``, does not exist.
    """
    values = {
        "description": clean_text(description, "description"),
        "tags": clean_tags(tags),
        "hyperparameters": clean_json(hyperparameters, "hyperparameters"),
        "config": clean_json_object(config, "config"),
        "performance": clean_json(performance, "performance"),
        "predictor_id": None if predictor_id is None else check_id(predictor_id, "predictor_id"),
    }
    formats = check_formats(formats)
    with ExitStack() as staging:
        staged = {
            format_id: staging.enter_context(staged_upload(format_id, source))
            for format_id, source in formats.items()
        }
        return insert_version(model_id, values, records, staged)


def insert_version(
    model_id: int, values: dict[str, Any], records: Any, staged: dict[str, Staged]
) -> ModelVersion:
    """Number and write a version with its checked fields and staged files, in one transaction.

    Args:
        model_id: The model's id.
        values: The version's checked fields.
        records: The records as given (checked here, against the Datasets).
        staged: Validated uploads by format id (``staged_upload``).
    """
    with transaction() as db:
        values["records"] = clean_records(db, records)
        model = model_row(db, model_id, for_update=True)
        live = db.scalar(
            select(func.count(ModelVersion.id)).where(ModelVersion.model_id == model.id)
        )
        if live >= MAX_VERSIONS:
            raise InvalidArgument(
                f"model {model.name!r} has {live} versions, the most a model keeps "
                f"({MAX_VERSIONS}); delete one (model.version(n).delete()) to free a slot."
            )
        model.last_version += 1
        touch(model)
        user = current_user()
        version = ModelVersion(
            model_id=model.id, version=model.last_version, created_by=user, updated_by=user
        )
        for key, value in values.items():
            setattr(version, key, value)
        db.add(version)
        db.flush()
        record(db, "create", model, version, after=snapshot(version, VERSION_FIELDS))
        for format_id, upload in staged.items():
            file_upload(db, version, upload, format_id, existing=None)
    return version


def check_formats(formats: Any) -> dict[str, Source]:
    """Files to upload with a new version, by known format id."""
    if formats is None:
        return {}
    if not isinstance(formats, dict):
        raise InvalidArgument(
            f"formats must be a dict of format id to file; got {type(formats).__name__}."
        )
    for format_id in formats:
        get_format(format_id)
    return formats


def get_version(model_id: int, number: int) -> ModelVersion:
    """The live version of a model with this number.

    Raises:
        NotFound: Naming the model and the numbers it has.
    """
    check_number(number, "number")
    statement = select(ModelVersion).where(
        ModelVersion.model_id == check_id(model_id, "RegisteredModel id"),
        ModelVersion.version == number,
    )
    with reading() as db:
        found = db.scalar(statement)
        if found is not None:
            return found
        model = model_row(db, model_id)  # NotFound if the model is missing
        numbers = db.scalars(
            select(ModelVersion.version)
            .where(ModelVersion.model_id == model.id)
            .order_by(ModelVersion.version)
        )
        listed = ", ".join(map(str, numbers)) or "none yet"
        raise NotFound(f"model {model.name!r} has no version {number}; its versions: {listed}.")


def latest_version(model_id: int, published: bool | None = None) -> ModelVersion:
    """The highest-numbered live version: of any state, published only, or unpublished only."""
    if published is not None:
        check_flag(published, "published")
    with reading() as db:
        model = model_row(db, model_id)
        statement = select(ModelVersion).where(ModelVersion.model_id == model.id)
        if published is not None:
            statement = statement.where(ModelVersion.is_published == published)
        found = db.scalar(statement.order_by(ModelVersion.version.desc()).limit(1))
    if found is None:
        kind = {None: "", True: "published ", False: "unpublished "}[published]
        raise NotFound(f"model {model.name!r} has no {kind}versions.")
    return found


def edit_version(row: ModelVersion, values: dict[str, Any]) -> ModelVersion:
    """Change fields of an unpublished version; records the change. Updates ``row``.

    Raises:
        InvalidArgument: A field that cannot be edited, or a bad value.
        Frozen: The version is published.
    """
    unknown = sorted(set(values) - set(EDITABLE) - {"records"})
    if unknown:
        raise InvalidArgument(
            f"{unknown[0]!r} is not an editable field of a version; editable: "
            f"{', '.join(sorted([*EDITABLE, 'records']))}."
        )
    cleaned = {key: EDITABLE[key](value) for key, value in values.items() if key != "records"}
    with transaction() as db:
        if "records" in values:
            cleaned["records"] = clean_records(db, values["records"])
        version = writable_version(db, row.id)
        before, after = changes(version, cleaned)
        if after:
            for key, value in after.items():
                setattr(version, key, value)
            touch(version)
            db.flush()
            model = model_row(db, version.model_id)
            record(db, "edit", model, version, before=before, after=after)
    return refresh(row, version)


def publish(row: ModelVersion) -> ModelVersion:
    """Freeze a version: from the commit on, the database refuses any change to it.

    Raises:
        Frozen: It is published already.
    """
    with transaction() as db:
        version = writable_version(db, row.id)
        version.is_published = True
        version.time_published = utcnow()
        version.published_by = current_user()
        touch(version)
        db.flush()
        model = model_row(db, version.model_id)
        after = {"is_published": True, "published_by": version.published_by}
        record(db, "publish", model, version, before={"is_published": False}, after=after)
    return refresh(row, version)


def delete_version(version_id: int, force: bool = False) -> dict[str, int]:
    """Delete a version and its formats; a published one only with ``force=True``.

    The audit entry is written first: for a published version it is what the database's
    trigger requires before it lets the row go.

    Raises:
        Frozen: The version is published and ``force`` is False.
    """
    check_flag(force, "force")
    with transaction() as db:
        version = version_row(db, version_id, for_update=True)
        if version.is_published and not force:
            raise Frozen(
                f"{describe(db, version)} is published; delete(force=True) deletes it "
                "anyway, and the deletion is recorded."
            )
        model = model_row(db, version.model_id)
        touch(model)
        return remove_versions(db, model, [version])


def remove_versions(db: Any, model: Any, versions: list[ModelVersion]) -> dict[str, int]:
    """Record and delete versions and their formats in ``db``'s transaction.

    The files of the formats are released, to be removed after the commit when no other
    format references them.
    """
    files = 0
    for version in versions:
        formats = list(
            db.scalars(select(VersionFormat).where(VersionFormat.version_id == version.id))
        )
        before = snapshot(version, VERSION_FIELDS) | {"formats": [f.info() for f in formats]}
        record(db, "delete", model, version, forced=version.is_published, before=before)
        db.flush()  # the audit entry must exist before the trigger sees the deletion
        db.execute(delete(VersionFormat).where(VersionFormat.version_id == version.id))
        db.execute(delete(ModelVersion).where(ModelVersion.id == version.id))
        for row in formats:
            release(row.sha256)
            db.expunge(row)
        db.expunge(version)
        files += len(formats)
    return {"ModelVersion": len(versions), "VersionFormat": files}
