"""feature.fitted_featurecoders and label.fitted_labelcoder: read from the Splitsets instead

A Feature or Label can be fitted by many Splitsets and Folds; one column on its row
could only hold the last writer's coders. The fitted coders live on the Splitset and
Fold rows that fitted them, and Feature/Label expose them as properties.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 03:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feature', schema=None) as batch_op:
        batch_op.drop_column('fitted_featurecoders')
    with op.batch_alter_table('label', schema=None) as batch_op:
        batch_op.drop_column('fitted_labelcoder')


def downgrade() -> None:
    with op.batch_alter_table('label', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fitted_labelcoder', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('feature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fitted_featurecoders', sa.LargeBinary(), nullable=True))
