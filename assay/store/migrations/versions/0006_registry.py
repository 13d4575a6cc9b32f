"""registry: registered models, versions, a file per format, stored files, the audit log

The model registry's tables, and the triggers that keep its rules in the database itself,
whoever writes to it (assay, or SQL typed by hand):

- a published version (``modelversion.is_published``) cannot be updated, and its formats
  cannot be added, updated or deleted;
- a published version, and its formats, can be deleted only once an audit entry records
  the forced deletion (``action = 'delete' AND forced``) of that version;
- audit entries can never be updated or deleted;
- a stored file's row and chunks never change, and go only when no format references the
  file (``versionformat.sha256`` names the file without a foreign key: every foreign key of
  the metastore points at an ``id``).

Note for later migrations: SQLite's batch mode rebuilds a table and loses its triggers;
a migration that alters one of these tables must create its triggers again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import assay.orm.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

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


def upgrade() -> None:
    op.create_table('registeredmodel',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('context', sa.String(length=255), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=False),
    sa.Column('last_version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('time_created', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('time_updated', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('is_starred', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('context', 'name'),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_registeredmodel_name'), 'registeredmodel', ['name'], unique=False)
    op.create_table('registryaudit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('time_created', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('user', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('context', sa.String(length=255), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('model_name', sa.String(length=255), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('format_id', sa.String(length=32), nullable=True),
    sa.Column('forced', sa.Boolean(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_registryaudit_model_id'), 'registryaudit', ['model_id'], unique=False)
    op.create_index(op.f('ix_registryaudit_version_id'), 'registryaudit', ['version_id'], unique=False)
    op.create_table('registryfile',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('store', sa.String(length=1024), nullable=False),
    sa.Column('time_created', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('modelversion',
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('hyperparameters', sa.JSON(), nullable=True),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('records', sa.JSON(), nullable=False),
    sa.Column('performance', sa.JSON(), nullable=True),
    sa.Column('predictor_id', sa.Integer(), nullable=True),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('time_published', assay.orm.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=255), nullable=True),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('time_created', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('time_updated', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('is_starred', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['registeredmodel.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('model_id', 'version'),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_modelversion_model_id'), 'modelversion', ['model_id'], unique=False)
    op.create_index(op.f('ix_modelversion_name'), 'modelversion', ['name'], unique=False)
    op.create_table('registrychunk',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('idx', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', 'idx')
    )
    op.create_table('versionformat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('format_id', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('time_created', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('time_updated', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['modelversion.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'format_id')
    )
    op.create_index(op.f('ix_versionformat_sha256'), 'versionformat', ['sha256'], unique=False)
    op.create_index(op.f('ix_versionformat_version_id'), 'versionformat', ['version_id'], unique=False)
    create_triggers()


def create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTIONS)
        for name, body in POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        return
    for name, (event, condition, message) in SQLITE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {event} FOR EACH ROW WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def downgrade() -> None:
    op.drop_index(op.f('ix_versionformat_version_id'), table_name='versionformat')
    op.drop_index(op.f('ix_versionformat_sha256'), table_name='versionformat')
    op.drop_table('versionformat')
    op.drop_table('registrychunk')
    op.drop_index(op.f('ix_modelversion_name'), table_name='modelversion')
    op.drop_index(op.f('ix_modelversion_model_id'), table_name='modelversion')
    op.drop_table('modelversion')
    op.drop_table('registryfile')
    op.drop_index(op.f('ix_registryaudit_version_id'), table_name='registryaudit')
    op.drop_index(op.f('ix_registryaudit_model_id'), table_name='registryaudit')
    op.drop_table('registryaudit')
    op.drop_index(op.f('ix_registeredmodel_name'), table_name='registeredmodel')
    op.drop_table('registeredmodel')
    if op.get_bind().dialect.name == "postgresql":  # tables took their triggers with them
        for signature in POSTGRES_FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {signature}")
