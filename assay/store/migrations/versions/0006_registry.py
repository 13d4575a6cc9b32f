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
    from assay.registry.triggers import statements

    for statement in statements(op.get_bind().dialect.name):
        op.execute(statement)


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
        from assay.registry.triggers import POSTGRES_FUNCTION_NAMES

        for signature in POSTGRES_FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {signature}")
