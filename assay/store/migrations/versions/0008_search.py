"""search: a Queue's hyperparameter search (queuesearch) and its trials (trial)

A Queue made with ``search=Search(...)`` records its sampler (name, options, the class or
instance pickled by value), parameter specs, goal, metric, split and n_trials in one
``queuesearch`` row, and each point the sampler proposed in a ``trial`` row: its number,
its Hyperparamcombo (whose Jobs train it), its status, score and the metrics of every
split. A resumed search rebuilds its sampler from these rows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa

import assay.orm.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('queuesearch',
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('sampler', sa.String(length=255), nullable=False),
    sa.Column('sampler_options', sa.JSON(), nullable=False),
    sa.Column('sampler_factory', sa.LargeBinary(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('goal', sa.String(length=16), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('split', sa.String(length=16), nullable=False),
    sa.Column('split_name', sa.String(length=32), nullable=False),
    sa.Column('n_trials', sa.Integer(), nullable=True),
    sa.Column('results_path', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('time_created', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('time_updated', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('is_starred', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_queuesearch_name'), 'queuesearch', ['name'], unique=False)
    op.create_index(op.f('ix_queuesearch_queue_id'), 'queuesearch', ['queue_id'], unique=True)
    op.create_table('trial',
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('metrics', sa.JSON(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('hyperparamcombo_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('time_created', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('time_updated', assay.orm.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('is_starred', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['hyperparamcombo_id'], ['hyperparamcombo.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['search_id'], ['queuesearch.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('search_id', 'number')
    )
    op.create_index(op.f('ix_trial_hyperparamcombo_id'), 'trial', ['hyperparamcombo_id'], unique=True)
    op.create_index(op.f('ix_trial_name'), 'trial', ['name'], unique=False)
    op.create_index(op.f('ix_trial_search_id'), 'trial', ['search_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_trial_search_id'), table_name='trial')
    op.drop_index(op.f('ix_trial_name'), table_name='trial')
    op.drop_index(op.f('ix_trial_hyperparamcombo_id'), table_name='trial')
    op.drop_table('trial')
    op.drop_index(op.f('ix_queuesearch_queue_id'), table_name='queuesearch')
    op.drop_index(op.f('ix_queuesearch_name'), table_name='queuesearch')
    op.drop_table('queuesearch')
