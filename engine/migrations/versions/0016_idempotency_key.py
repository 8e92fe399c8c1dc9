"""idempotency_key: a retried registration returns the case its first request made

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotency_key',
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_idempotency_key_case_id_service_case')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_idempotency_key_staff_id_staff')),
        sa.PrimaryKeyConstraint('staff_id', 'key', name=op.f('pk_idempotency_key')),
    )


def downgrade():
    op.drop_table('idempotency_key')
