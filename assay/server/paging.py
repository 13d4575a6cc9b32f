"""Pages of long lists: every list route takes ``offset`` and ``limit`` and says the total.

A page is read with one ``LIMIT``/``OFFSET`` query and one count, so a list route costs the
same with ten rows as with ten thousand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select

from assay.store import reading

T = TypeVar("T")
#: The most items one page holds.
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    """One page of a list: its items, where it starts, how many it may hold, and the total."""

    items: list[T]
    offset: int
    limit: int
    total: int


@dataclass(frozen=True)
class Paging:
    """Where a page starts and how many items it holds."""

    offset: int = 0
    limit: int = 50


def paging(
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
) -> Paging:
    """The page a list route is asked for."""
    return Paging(offset, limit)


PageQuery = Annotated[Paging, Depends(paging)]


def read_page(statement: Select[Any], at: Paging) -> tuple[list[Any], int]:
    """The rows of one page of an ordered ``statement``, and how many rows it has in all."""
    with reading() as db:
        total = db.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        rows = list(db.scalars(statement.offset(at.offset).limit(at.limit)))
    return rows, int(total or 0)


def page_of(items: Sequence[Any], total: int, at: Paging, shape: Callable[[Any], Any]) -> Page:
    """A ``Page`` of items, each shaped for the response by ``shape``."""
    return Page(
        items=[shape(item) for item in items], offset=at.offset, limit=at.limit, total=total
    )


def slice_page(items: Sequence[Any], at: Paging, shape: Callable[[Any], Any]) -> Page:
    """A page of a list already in memory (short lists, such as a model's versions)."""
    return page_of(items[at.offset : at.offset + at.limit], len(items), at, shape)


def empty_page(at: Paging) -> Page:
    """A page of nothing (a list of another context)."""
    return Page(items=[], offset=at.offset, limit=at.limit, total=0)
