"""Formats for the registry's tests, and a snapshot of everything the registry has written.

The tests of the registry's core register their own small formats (``txt``: a header and a
constant answer; ``blob``: any file) for the duration of each test, so that they need no
model library; the real formats' tests (``formats/``) see only the real ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from assay.errors import InvalidArgument
from assay.registry.formats import ModelFormat, base
from assay.registry.storage import registry_dir
from assay.store import engine

HEADER = b"TXT-MODEL\n"
TABLES = (
    "registeredmodel",
    "modelversion",
    "versionformat",
    "registryfile",
    "registrychunk",
    "registryaudit",
)


class Constant:
    """What a ``txt`` file loads as: a model that answers its text for every row."""

    def __init__(self, answer: str) -> None:
        self.answer = answer

    def predict(self, frame: Any) -> list[str]:
        return [self.answer] * len(frame)


class TextFormat(ModelFormat):
    """``TXT-MODEL\\n`` then an answer; validate checks the header."""

    id = "txt"
    description = "a test format: a header line and a constant answer"
    suffix = ".txt"

    def validate(self, path: Path) -> None:
        with open(path, "rb") as handle:
            if handle.read(len(HEADER)) != HEADER:
                raise InvalidArgument(
                    f"file {path.name!r} is not a txt model: no TXT-MODEL header."
                )

    def load(self, path: Path) -> Constant:
        return Constant(path.read_bytes()[len(HEADER) :].decode())


class BlobFormat(ModelFormat):
    """Any file."""

    id = "blob"
    description = "a test format that accepts any file"
    suffix = ".bin"

    def validate(self, path: Path) -> None:
        return None


def txt(answer: str = "yes") -> bytes:
    """The bytes of a ``txt`` model."""
    return HEADER + answer.encode()


@pytest.fixture
def test_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the test formats for one test only (``usefixtures("test_formats")``)."""
    monkeypatch.setitem(base._FORMATS, "txt", TextFormat())
    monkeypatch.setitem(base._FORMATS, "blob", BlobFormat())


def stored_state() -> dict[str, Any]:
    """Every row of the registry's tables and every file of its local folder."""
    state: dict[str, Any] = {}
    with engine().connect() as connection:
        for table in TABLES:
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()
            state[table] = sorted(map(repr, rows))
    state["files"] = sorted(os.listdir(registry_dir()))
    return state


@contextmanager
def refused(error: type[Exception], match: str) -> Iterator[pytest.ExceptionInfo[Exception]]:
    """Expect ``error`` (its message matching ``match``) and that nothing was written."""
    before = stored_state()
    with pytest.raises(error, match=match) as raised:
        yield raised
    assert stored_state() == before
