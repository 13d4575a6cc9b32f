"""apitoken.sessions_ended_at: logging out of the dashboard ends the token's sessions

A dashboard session lives in a signed cookie, which the server does not store; to end it
for good (a copy of the cookie included), logging out records the time, and a session that
started before it is refused.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:00:00.000000
"""

from alembic import op
import sqlalchemy as sa

import assay.orm.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('sessions_ended_at', assay.orm.base.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_column('sessions_ended_at')
