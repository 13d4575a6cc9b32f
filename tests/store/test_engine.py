import sqlite3

from sqlalchemy import text

from assay import config
from assay.store import engine


def test_sqlite_default_location_and_pragmas(monkeypatch, tmp_path):
    monkeypatch.delenv("ASSAY_DATABASE_URL")
    home = tmp_path / "home"
    monkeypatch.setenv("ASSAY_HOME", str(home))
    assert config.database_url() == f"sqlite:///{home / 'assay.sqlite3'}"
    built = engine()
    with built.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
    assert (home / "assay.sqlite3").is_file()
    tables = (
        sqlite3.connect(home / "assay.sqlite3")
        .execute("SELECT name FROM sqlite_master WHERE type='table'")
        .fetchall()
    )
    assert ("dataset",) in tables


def test_postgres_url_uses_psycopg3(monkeypatch):
    monkeypatch.setenv("ASSAY_DATABASE_URL", "postgresql://u@h:5432/db")
    assert config.database_url() == "postgresql+psycopg://u@h:5432/db"
