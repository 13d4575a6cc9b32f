"""BaseModel (section 0): the columns and methods every table shares.

Rows are plain mapped objects that stay usable outside any session. Each link between
tables is declared once as a view-only ``relationship()`` whose name ends in ``_``
(``Dataset.features_``), so that services can load it eagerly (``selectinload``,
``joinedload``); users read it through a property without the ``_`` (``dataset.features``)
that goes through ``related``: free when the link was loaded eagerly, else one fresh query,
and never a detached-instance error. Methods that act on one row take its id first and
work both ways (the "automatic id argument"): ``Dataset.to_df(3)`` and ``dataset.to_df()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, Self, TypeVar

import cloudpickle
from sqlalchemy import JSON, DateTime, LargeBinary, String, Text, TypeDecorator, select
from sqlalchemy import inspect as inspect_row
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    make_transient_to_detached,
    mapped_column,
    validates,
)
from sqlalchemy.orm.attributes import set_committed_value

from assay.errors import InvalidArgument, NotFound
from assay.store import reading, transaction

TIMESTAMP_FORMAT = "%Y%b%d_%H:%M:%S"
R = TypeVar("R")
#: The longest ``name`` a row holds: the column is String(NAME_LENGTH) on every table.
NAME_LENGTH = 255
#: Text arguments stored in columns of limited length, and that length.
TEXT_LIMITS = {"name": NAME_LENGTH}


def check_text(value: Any, argument: str, max_length: int | None = None) -> None:
    """Validate an optional str argument such as name or description, and its length.

    Args:
        value: The argument as given.
        argument: Its name, for the message; ``name`` is limited to ``NAME_LENGTH``.
        max_length: The most characters its column holds (default: ``TEXT_LIMITS``).
    """
    if value is not None and not isinstance(value, str):
        raise InvalidArgument(f"{argument} must be a str or None; got {type(value).__name__}.")
    limit = max_length if max_length is not None else TEXT_LIMITS.get(argument)
    if value is not None and limit is not None and len(value) > limit:
        raise InvalidArgument(
            f"{argument} must be at most {limit} characters; got {len(value)}: {value[:40]!r}..."
        )


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store naive timestamps as UTC; SQLite gets them without a zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Hand back timezone-aware UTC timestamps on every backend."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Pickled(TypeDecorator[Any]):
    """Python objects (fitted encoders, reshape tuples) stored by value with cloudpickle."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        """Pickle the object by value, so a fresh process can load it."""
        return None if value is None else cloudpickle.dumps(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> Any:
        """Unpickle the stored bytes."""
        return None if value is None else cloudpickle.loads(value)


class Base(DeclarativeBase):
    """The declarative base that owns the metadata of every assay table."""

    type_annotation_map = {dict: JSON, list: JSON, datetime: UtcDateTime}


def related(row: BaseModel, name: str) -> Any:
    """The value of the relationship ``name`` of ``row``, whether or not its session is open.

    A relationship loaded eagerly (``selectinload``, ``joinedload``) is returned as it is, with
    no statement. Otherwise it is loaded with one statement (none for a link whose id is
    None) and is not kept on the row, so the next call sees rows written since: a detached row
    gets a stand-in that shares its identity and columns in a reading session, and a row of
    the open transaction is loaded there and the attribute expired again.

    Args:
        row: A row of any table.
        name: A relationship of its class, e.g. ``"features_"``.
    """
    state = inspect_row(row)
    if name not in state.unloaded or state.key is None:
        # Eagerly loaded, or a row never written (nothing to load).
        return _plain(getattr(row, name))
    with reading() as db:
        present = db.identity_map.get(state.key)
        if present is not None:  # this row (or its twin) belongs to the open transaction
            if name not in inspect_row(present).unloaded:
                return _plain(getattr(present, name))
            value = getattr(present, name)
            db.expire(present, [name])
            return _plain(value)
        stand_in = state.mapper.class_manager.new_instance()
        for column in state.mapper.column_attrs:
            if column.key in state.dict:
                set_committed_value(stand_in, column.key, state.dict[column.key])
        make_transient_to_detached(stand_in)
        db.add(stand_in)
        try:
            return _plain(getattr(stand_in, name))
        finally:
            db.expunge(stand_in)


def _plain(value: Any) -> Any:
    """A collection as a new plain list (the caller's to change), any other value as it is."""
    return list(value) if isinstance(value, list) else value


class id_method(Generic[R]):
    """Make a row method callable on the class with an id, or on a row without one.

    ``Dataset.to_df(3, columns=[...])`` loads Dataset 3 and calls its ``to_df``; on a row,
    ``dataset.to_df(columns=[...])`` passes the row itself. The row's own class decides which
    implementation runs, so subclasses may override.
    """

    def __init__(self, function: Callable[..., R]) -> None:
        self.function = function
        self.name = function.__name__
        functools.update_wrapper(self, function)  # type: ignore[arg-type]

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, row: Any, owner: type) -> Callable[..., R]:
        if row is not None:
            return functools.partial(self.function, row)
        name = self.name

        @functools.wraps(self.function)
        def by_id(id: int, *args: Any, **kwargs: Any) -> R:
            return getattr(owner.get_by_id(id), name)(*args, **kwargs)

        return by_id


class BaseModel(Base):
    """Columns and methods shared by every table: id, timestamps, star, name, description."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    time_created: Mapped[datetime] = mapped_column(default=utcnow)
    time_updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    is_starred: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), index=True)
    description: Mapped[str | None] = mapped_column(Text)

    @validates("name")
    def _check_name(self, key: str, value: str | None) -> str | None:
        """Refuse a name longer than its column on every table, before anything is written."""
        check_text(value, key)
        return value

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<{type(self).__name__} {self.id}{label}>"

    @classmethod
    def get_by_id(cls, id: int) -> Self:
        """The row with this id.

        Raises:
            NotFound: When no row of this table has the id.
        """
        if isinstance(id, bool) or not isinstance(id, int):
            raise InvalidArgument(f"id must be an int; got {type(id).__name__} {id!r}.")
        with reading() as db:
            row = db.get(cls, id)
        if row is None:
            raise NotFound(f"{cls.__name__} with id {id} does not exist.")
        return row

    @classmethod
    def get_by_name(cls, name: str) -> Self:
        """The latest row with this name.

        That is the highest ``version`` where the table has versions (a row named by
        ``set_info``, without a version, comes after every versioned one), else the newest row.

        Raises:
            InvalidArgument: When ``name`` is not a str.
            NotFound: When no row of this table has the name.
        """
        if not isinstance(name, str):
            raise InvalidArgument(f"name must be a str; got {type(name).__name__} {name!r}.")
        order = [cls.id.desc()]
        if "version" in cls.__mapper__.columns:
            order.insert(0, cls.__mapper__.columns["version"].desc().nulls_last())
        statement = select(cls).where(cls.name == name).order_by(*order).limit(1)
        with reading() as db:
            row = db.scalar(statement)
        if row is None:
            raise NotFound(
                f"{cls.__name__} named {name!r} does not exist; set_info(name=...) names a row."
            )
        return row

    @classmethod
    def select_where(cls, *conditions: Any, order_by: Any = None) -> list[Self]:
        """Rows of this table that meet every condition, in id order by default."""
        statement = select(cls).where(*conditions).order_by(order_by or cls.id)
        with reading() as db:
            return list(db.scalars(statement))

    @id_method
    def created_at(self) -> str:
        """The creation time in local time, e.g. ``2022Jun23_07:13:14``."""
        return self.time_created.astimezone().strftime(TIMESTAMP_FORMAT)

    @id_method
    def updated_at(self) -> str:
        """The time of the latest update in local time, e.g. ``2022Jun23_07:13:14``."""
        return self.time_updated.astimezone().strftime(TIMESTAMP_FORMAT)

    @id_method
    def flip_star(self) -> Self:
        """Toggle ``is_starred`` so that favourite entries are easy to find."""
        return self.update_columns(is_starred=not self.is_starred)

    @id_method
    def set_info(self, name: str | None = None, description: str | None = None) -> Self:
        """Record a short name and a description of what is unique about this entry.

        Args:
            name: Short name to remember this entry by; None leaves it as it is.
            description: What is unique about this entry; None leaves it as it is, and
                ``""`` clears it.

        Raises:
            InvalidArgument: A name or description that is not a str, a name longer than
                its column, or an empty name (an entry is found by its name, and a named
                Dataset or Splitset is versioned by it, so a name is renamed, never blanked).
        """
        check_text(name, "name")
        check_text(description, "description")
        if name is not None and not name.strip():
            raise InvalidArgument(
                f"name must be a non-empty str; got {name!r}. Pass a new name, or None to "
                "leave the name as it is."
            )
        values: dict[str, Any] = {} if name is None else {"name": name}
        if description is not None:
            values["description"] = description or None
        return self.update_columns(**values)

    def update_columns(self, **values: Any) -> Self:
        """Write new values of some columns in one transaction and refresh this object."""
        with transaction() as db:
            row = db.get(type(self), self.id)
            if row is None:
                raise NotFound(f"{type(self).__name__} with id {self.id} no longer exists.")
            for key, value in values.items():
                setattr(row, key, value)
            db.flush()
            fresh = {key: getattr(row, key) for key in (*values, "time_updated")}
        for key, value in fresh.items():
            setattr(self, key, value)
        return self


class Deletable:
    """A row its user may delete, with what depends on it (see ``assay.store.deletion``)."""

    @id_method
    def delete(self, cascade: bool = False) -> dict[str, int]:
        """Delete this row and its own parts (folds, runs, preprocessing rows) in one transaction.

        Rows built on it (a Dataset's Features, a Queue's Predictors...) make it raise
        ``StillNeeded``, listing them per table, unless ``cascade=True``. Cache folders and
        artifact files that only deleted rows used are removed after the commit.

        Returns:
            The number of rows deleted per table.
        """
        from assay.store.deletion import delete_row

        return delete_row(self, cascade)
