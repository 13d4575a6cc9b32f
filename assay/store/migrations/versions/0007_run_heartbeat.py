"""run.heartbeat: when the process training a run last said it was alive

A run's host and pid tell whether its process is alive on the same machine; a worker on
another machine (a Dask cluster) can only be judged by how recently it beat. The heartbeat
is written every few seconds while a run trains, and a run whose beat is older than the
timeout goes back to the queue.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:00:00.000000
"""

from alembic import op
import sqlalchemy as sa

import assay.orm.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('heartbeat', assay.orm.base.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.drop_column('heartbeat')
