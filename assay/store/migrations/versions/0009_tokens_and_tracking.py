"""tokens and tracking: API tokens (apitoken), plots a run reports (runplot), run.performance

The server checks every call's token against ``apitoken`` (only the SHA-256 of each secret is
kept). Training code reports plots that grow while it trains (``runplot``, one row per run,
phase and plot) and key-value performance figures (``run.performance``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 11:30:00.000000
"""

from alembic import op
import sqlalchemy as sa

import assay.orm.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _base_columns() -> list:
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('time_created', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column('time_updated', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column('is_starred', sa.Boolean(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table('apitoken',
    sa.Column('user', sa.String(length=255), nullable=False),
    sa.Column('context', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('expires_at', assay.orm.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', assay.orm.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', assay.orm.base.UtcDateTime(timezone=True), nullable=True),
    *_base_columns(),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_apitoken_name'), 'apitoken', ['name'], unique=False)
    op.create_index(op.f('ix_apitoken_user'), 'apitoken', ['user'], unique=False)
    op.create_table('runplot',
    sa.Column('phase', sa.String(length=8), nullable=False),
    sa.Column('plot', sa.String(length=255), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    *_base_columns(),
    sa.ForeignKeyConstraint(['run_id'], ['run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'phase', 'plot')
    )
    op.create_index(op.f('ix_runplot_name'), 'runplot', ['name'], unique=False)
    op.create_index(op.f('ix_runplot_run_id'), 'runplot', ['run_id'], unique=False)
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('performance', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.drop_column('performance')
    op.drop_index(op.f('ix_runplot_run_id'), table_name='runplot')
    op.drop_index(op.f('ix_runplot_name'), table_name='runplot')
    op.drop_table('runplot')
    op.drop_index(op.f('ix_apitoken_user'), table_name='apitoken')
    op.drop_index(op.f('ix_apitoken_name'), table_name='apitoken')
    op.drop_table('apitoken')
