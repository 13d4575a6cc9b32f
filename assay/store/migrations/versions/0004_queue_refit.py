"""queue.refit: train the best combination again on all training samples after the folds

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('refit', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.drop_column('refit')
