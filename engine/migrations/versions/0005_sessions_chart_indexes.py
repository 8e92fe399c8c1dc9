"""staff session epoch (signing out ends every session of the account); indexes for the board's charts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        for column in ('received_on', 'accepted_on', 'decided_at'):
            batch_op.create_index(f'ix_case_{column}', [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        for column in ('received_on', 'accepted_on', 'decided_at'):
            batch_op.drop_index(f'ix_case_{column}')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
