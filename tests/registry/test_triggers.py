"""The database itself keeps the registry's rules: SQL typed by hand is refused too."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from assay.registry import Registry
from assay.store import engine
from tests.registry.conftest import stored_state, txt

pytestmark = pytest.mark.usefixtures("backend", "test_formats")

FROZEN = "is published: it and its formats cannot change"


def sql(statement, **params):
    with engine().begin() as connection:
        return connection.execute(text(statement), params)


def refused_sql(match, statement, **params):
    before = stored_state()
    with pytest.raises(DBAPIError, match=match):
        sql(statement, **params)
    assert stored_state() == before


def published():
    m = Registry().create_model("churn")
    v = m.create_version(formats={"txt": txt()})
    v.publish()
    return v


def test_an_unpublished_version_can_be_changed_by_sql():
    v = Registry().create_model("churn").create_version(formats={"txt": txt()})
    sql("UPDATE modelversion SET description = 'by hand' WHERE id = :id", id=v.id)
    sql("UPDATE versionformat SET filename = 'x.txt' WHERE version_id = :id", id=v.id)
    assert v.model.version(1).description == "by hand"


def test_sql_cannot_change_a_published_version_or_its_formats():
    v = published()
    sha = v.format("txt").sha256
    refused_sql(FROZEN, "UPDATE modelversion SET description = 'x' WHERE id = :id", id=v.id)
    refused_sql(FROZEN, "UPDATE modelversion SET is_published = false WHERE id = :id", id=v.id)
    refused_sql(FROZEN, "DELETE FROM modelversion WHERE id = :id", id=v.id)
    refused_sql(FROZEN, "UPDATE versionformat SET filename = 'x' WHERE version_id = :id", id=v.id)
    refused_sql(FROZEN, "DELETE FROM versionformat WHERE version_id = :id", id=v.id)
    refused_sql(
        FROZEN,
        "INSERT INTO versionformat (version_id, format_id, sha256, size, time_created, "
        "time_updated, created_by, updated_by) VALUES (:id, 'blob', :sha, 1, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'me', 'me')",
        id=v.id,
        sha=sha,
    )
    refused_sql(FROZEN, "DELETE FROM registeredmodel")  # its cascade reaches the version
    assert v.download("txt") == txt()


def test_a_forced_deletion_by_sql_must_be_recorded_first():
    v = published()
    sql(
        'INSERT INTO registryaudit (time_created, "user", action, context, model_id, '
        "model_name, version_id, version, forced) VALUES (CURRENT_TIMESTAMP, 'dba', 'delete', "
        "'default', :model, 'churn', :id, 1, true)",
        model=v.model_id,
        id=v.id,
    )
    sql("DELETE FROM versionformat WHERE version_id = :id", id=v.id)
    sql("DELETE FROM modelversion WHERE id = :id", id=v.id)
    assert v.model.versions == []


def test_audit_entries_cannot_be_changed_or_deleted():
    m = Registry().create_model("churn")
    m.edit(description="x")
    refused_sql("audit entries cannot be changed", "UPDATE registryaudit SET \"user\" = 'eve'")
    refused_sql("audit entries cannot be changed", "DELETE FROM registryaudit")
    assert [e.action for e in m.history()] == ["create", "edit"]


def test_stored_contents_never_change_and_stay_while_referenced():
    v = Registry().create_model("churn").create_version(formats={"txt": txt()})
    sha = v.format("txt").sha256
    sql(
        "INSERT INTO registryfile (sha256, size, store, time_created) "
        "VALUES ('f00d', 1, 'db', CURRENT_TIMESTAMP)"
    )
    sql("INSERT INTO registrychunk (sha256, idx, data) VALUES ('f00d', 0, :d)", d=b"x")
    refused_sql("contents never change", "UPDATE registrychunk SET data = :d", d=b"y")
    refused_sql("contents never change", "UPDATE registryfile SET size = 2")
    sql("UPDATE versionformat SET sha256 = 'f00d' WHERE version_id = :id", id=v.id)
    refused_sql("still referenced", "DELETE FROM registrychunk WHERE sha256 = 'f00d'")
    refused_sql("still referenced", "DELETE FROM registryfile WHERE sha256 = 'f00d'")
    sql("UPDATE versionformat SET sha256 = :sha WHERE version_id = :id", sha=sha, id=v.id)
    sql("DELETE FROM registrychunk WHERE sha256 = 'f00d'")
    sql("DELETE FROM registryfile WHERE sha256 = 'f00d'")
