"""Leave refused or withdrawn, and half days: who refused at which stage and why, when it was withdrawn,
and whether a leave starts in the afternoon or ends at noon

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 17:50:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('leave_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_half', sa.String(length=2), server_default='am', nullable=False))
        batch_op.add_column(sa.Column('ends_half', sa.String(length=2), server_default='pm', nullable=False))
        batch_op.add_column(sa.Column('refused_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('refused_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('refused_stage', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('refusal_reason', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_leave_request_refused_by_id_staff'), 'staff', ['refused_by_id'],
                                    ['id'])


def downgrade() -> None:
    with op.batch_alter_table('leave_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_leave_request_refused_by_id_staff'), type_='foreignkey')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('refusal_reason')
        batch_op.drop_column('refused_stage')
        batch_op.drop_column('refused_at')
        batch_op.drop_column('refused_by_id')
        batch_op.drop_column('ends_half')
        batch_op.drop_column('starts_half')
