"""API tokens per device with lifetimes; failed sign-ins counted per name and source, not on the account

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_api_token_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')),
    )
    op.create_index(op.f('ix_api_token_staff_id'), 'api_token', ['staff_id'], unique=False)
    op.create_table(
        'sign_in_failure',
        sa.Column('username', sa.String(length=50), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('refused_until', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('username', 'source', name=op.f('pk_sign_in_failure')),
    )
    op.create_index(op.f('ix_sign_in_failure_last_failure_at'), 'sign_in_failure', ['last_failure_at'], unique=False)
    # The one token per account and the account's lockout are gone: old tokens stop working.
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_staff_api_token_hash'), type_='unique')
        batch_op.drop_column('api_token_hash')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('api_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_staff_api_token_hash'), ['api_token_hash'])
    op.drop_index(op.f('ix_sign_in_failure_last_failure_at'), table_name='sign_in_failure')
    op.drop_table('sign_in_failure')
    op.drop_index(op.f('ix_api_token_staff_id'), table_name='api_token')
    op.drop_table('api_token')
