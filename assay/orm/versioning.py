"""Versions by name: the next number for a new named row, and what makes two versions differ.

A Dataset and a Splitset given a name already used get the next version. A Dataset is told
apart from its siblings by its content (its hash, see ``assay.orm.dataset``); a Splitset by
its settings, so two identical Splitset versions are refused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.errors import InvalidArgument
from assay.store.session import lock_table

#: Splitset values that are drawn at random or derived, not chosen: not part of a version.
VERSION_EXCLUDES = ("samples", "sizes", "cache_path", "cache_hot")

#: Splitset columns that every row has or that are written later: not part of a version.
BASE_COLUMNS = (
    "id",
    "time_created",
    "time_updated",
    "is_starred",
    "name",
    "description",
    "version",
    "predictor_id",
    "fitted_featurecoders",
    "fitted_labelcoder",
)


def next_version(
    db: Session,
    model: type,
    name: str | None,
    attributes: dict[str, Any] | None = None,
    lock: bool = True,
) -> int | None:
    """The next version of a named row: one past the highest of its name (None: no name).

    Args:
        db: The transaction that writes the new row.
        model: The table, e.g. ``Splitset`` or ``Dataset``.
        name: The new row's name; None gives no version.
        attributes: What makes the new row what it is (see ``version_attributes``); given,
            an earlier version with the same attributes is an error. None compares nothing.
        lock: Take the table's writer lock first, so that two writers cannot take the same
            number; False when the caller holds it already.

    Raises:
        InvalidArgument: An earlier version has exactly these ``attributes``.
    """
    if name is None:
        return None
    if lock:
        lock_table(db, model.__tablename__)
    if attributes is None:
        versions = list(db.scalars(select(model.version).where(model.name == name)))
    else:
        siblings = list(db.scalars(select(model).where(model.name == name)))
        check_distinct(siblings, name, attributes)
        versions = [sibling.version for sibling in siblings]
    return max((version or 0 for version in versions), default=0) + 1


def check_distinct(siblings: list[Any], name: str, attributes: dict[str, Any]) -> None:
    """Raise when one of the rows named ``name`` has exactly these version attributes.

    Args:
        siblings: The rows of that name.
        name: Their name, for the message.
        attributes: The new row's version attributes.
    """
    for sibling in siblings:
        if row_version_attributes(sibling) == attributes:
            kind = type(sibling).__name__
            raise InvalidArgument(
                f"name: {kind} {sibling.id} ({name!r}, version {sibling.version}) already has "
                "exactly these attributes; two versions cannot be identical. Change something, "
                f"or reuse that {kind}."
            )


def version_attributes(values: dict[str, Any]) -> dict[str, Any]:
    """What makes a Splitset version distinct: every setting, not its random samples."""
    return {key: value for key, value in values.items() if key not in VERSION_EXCLUDES}


def row_version_attributes(row: Any) -> dict[str, Any]:
    """The version attributes of a written row (its columns, less ``BASE_COLUMNS``)."""
    columns = [column.key for column in type(row).__table__.columns]
    settings = {key: getattr(row, key) for key in columns if key not in BASE_COLUMNS}
    return version_attributes(settings)
