"""The registry's rules, kept by the database itself: triggers on SQLite and PostgreSQL.

Whoever writes to the metastore (assay, or SQL typed by hand):

- a published version (``modelversion.is_published``) cannot be updated, and its formats
  cannot be added, updated or deleted;
- a published version, and its formats, can be deleted only once an audit entry records
  the forced deletion (``action = 'delete' AND forced``) of that version;
- audit entries can never be updated or deleted;
- a stored file's row and chunks never change, and go only when no format references the
  file (``versionformat.sha256`` names the file without a foreign key).

Both routes to the newest schema create them: migration 0006 for a metastore that upgrades,
and ``Base.metadata.create_all`` for a new one (``attach`` hooks them onto the metadata).
Change them only together with a migration that drops and creates them again, and note that
SQLite's batch mode rebuilds a table without its triggers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, event, text

#: The tables the triggers guard.
TABLES = {"modelversion", "versionformat", "registryaudit", "registrychunk", "registryfile"}

FROZEN = "model version is published: it and its formats cannot change (delete it with force=True)"
APPEND_ONLY = "registry audit entries cannot be changed or deleted"
IMMUTABLE = "registry file contents never change"
REFERENCED = "registry file is still referenced by a version format"
# A forced deletion of version X is allowed once recorded in the audit log.
RECORDED = (
    "EXISTS (SELECT 1 FROM registryaudit a WHERE a.version_id = {id} "
    "AND a.action = 'delete' AND a.forced)"
)

SQLITE_TRIGGERS = {
    "modelversion_frozen_update": ("BEFORE UPDATE ON modelversion", "OLD.is_published", FROZEN),
    "modelversion_frozen_delete": (
        "BEFORE DELETE ON modelversion",
        "OLD.is_published AND NOT " + RECORDED.format(id="OLD.id"),
        FROZEN,
    ),
    "versionformat_frozen_insert": (
        "BEFORE INSERT ON versionformat",
        "(SELECT is_published FROM modelversion WHERE id = NEW.version_id)",
        FROZEN,
    ),
    "versionformat_frozen_update": (
        "BEFORE UPDATE ON versionformat",
        "(SELECT is_published FROM modelversion WHERE id = OLD.version_id) "
        "OR (SELECT is_published FROM modelversion WHERE id = NEW.version_id)",
        FROZEN,
    ),
    "versionformat_frozen_delete": (
        "BEFORE DELETE ON versionformat",
        "(SELECT is_published FROM modelversion WHERE id = OLD.version_id) AND NOT "
        + RECORDED.format(id="OLD.version_id"),
        FROZEN,
    ),
    "registryaudit_no_update": ("BEFORE UPDATE ON registryaudit", "1", APPEND_ONLY),
    "registryaudit_no_delete": ("BEFORE DELETE ON registryaudit", "1", APPEND_ONLY),
    "registrychunk_no_update": ("BEFORE UPDATE ON registrychunk", "1", IMMUTABLE),
    "registrychunk_referenced_delete": (
        "BEFORE DELETE ON registrychunk",
        "EXISTS (SELECT 1 FROM versionformat WHERE sha256 = OLD.sha256)",
        REFERENCED,
    ),
    "registryfile_referenced_delete": (
        "BEFORE DELETE ON registryfile",
        "EXISTS (SELECT 1 FROM versionformat WHERE sha256 = OLD.sha256)",
        REFERENCED,
    ),
    "registryfile_no_update": ("BEFORE UPDATE OF sha256, size ON registryfile", "1", IMMUTABLE),
}

POSTGRES_FUNCTIONS = f"""
CREATE FUNCTION assay_version_published(row_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT is_published FROM modelversion WHERE id = row_id), false)
$$;

CREATE FUNCTION assay_deletion_recorded(row_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT {RECORDED.format(id="row_id")} $$;

CREATE FUNCTION assay_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0];
END $$;

CREATE FUNCTION assay_modelversion_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.is_published AND (TG_OP = 'UPDATE' OR NOT assay_deletion_recorded(OLD.id)) THEN
    RAISE EXCEPTION '{FROZEN} (model version id %)', OLD.id;
  END IF;
  IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
  RETURN OLD;
END $$;

CREATE FUNCTION assay_versionformat_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') AND assay_version_published(NEW.version_id) THEN
    RAISE EXCEPTION '{FROZEN} (model version id %)', NEW.version_id;
  END IF;
  IF TG_OP = 'UPDATE' AND assay_version_published(OLD.version_id) THEN
    RAISE EXCEPTION '{FROZEN} (model version id %)', OLD.version_id;
  END IF;
  IF TG_OP = 'DELETE' AND assay_version_published(OLD.version_id)
     AND NOT assay_deletion_recorded(OLD.version_id) THEN
    RAISE EXCEPTION '{FROZEN} (model version id %)', OLD.version_id;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION assay_file_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM versionformat WHERE sha256 = OLD.sha256) THEN
    RAISE EXCEPTION '{REFERENCED} (sha256 %)', OLD.sha256;
  END IF;
  RETURN OLD;
END $$;
"""

POSTGRES_TRIGGERS = {
    "modelversion_frozen": "BEFORE UPDATE OR DELETE ON modelversion "
    "FOR EACH ROW EXECUTE FUNCTION assay_modelversion_frozen()",
    "versionformat_frozen": "BEFORE INSERT OR UPDATE OR DELETE ON versionformat "
    "FOR EACH ROW EXECUTE FUNCTION assay_versionformat_frozen()",
    "registryaudit_append_only": "BEFORE UPDATE OR DELETE ON registryaudit "
    f"FOR EACH ROW EXECUTE FUNCTION assay_refuse('{APPEND_ONLY}')",
    "registrychunk_no_update": "BEFORE UPDATE ON registrychunk "
    f"FOR EACH ROW EXECUTE FUNCTION assay_refuse('{IMMUTABLE}')",
    "registrychunk_referenced_delete": "BEFORE DELETE ON registrychunk "
    "FOR EACH ROW EXECUTE FUNCTION assay_file_referenced()",
    "registryfile_referenced_delete": "BEFORE DELETE ON registryfile "
    "FOR EACH ROW EXECUTE FUNCTION assay_file_referenced()",
    "registryfile_no_update": "BEFORE UPDATE OF sha256, size ON registryfile "
    f"FOR EACH ROW EXECUTE FUNCTION assay_refuse('{IMMUTABLE}')",
}
POSTGRES_FUNCTION_NAMES = (
    "assay_modelversion_frozen()",
    "assay_versionformat_frozen()",
    "assay_file_referenced()",
    "assay_refuse()",
    "assay_deletion_recorded(integer)",
    "assay_version_published(integer)",
)


def statements(dialect: str) -> list[str]:
    """The SQL that creates every trigger (and, on PostgreSQL, its functions) on ``dialect``."""
    if dialect == "postgresql":
        return [
            POSTGRES_FUNCTIONS,
            *(f"CREATE TRIGGER {name} {body}" for name, body in POSTGRES_TRIGGERS.items()),
        ]
    return [
        f"CREATE TRIGGER {name} {event_} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for name, (event_, condition, message) in SQLITE_TRIGGERS.items()
    ]


def attach(metadata: MetaData) -> None:
    """Create the triggers whenever ``metadata.create_all`` creates the registry's tables."""

    def create(target: MetaData, connection: Any, tables: Any = (), **_: Any) -> None:
        created = {table.name for table in tables}
        if not created >= TABLES:
            return  # a partial create_all (tests of single tables): nothing to guard
        for statement in statements(connection.dialect.name):
            connection.execute(text(statement))

    if not event.contains(metadata, "after_create", create):
        event.listen(metadata, "after_create", create)
