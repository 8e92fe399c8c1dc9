"""The outbox: notifications and status events with their deliveries; the applicant's e-mail

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 18:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service_case') as batch:
        batch.add_column(sa.Column('applicant_email', sa.String(length=120), nullable=False, server_default=''))
    op.create_table('outbox_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('audience', sa.String(length=12), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('case_number', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_outbox_event_case_id_service_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_event')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_event_key'))
    )
    op.create_index(op.f('ix_outbox_event_case_id'), 'outbox_event', ['case_id'], unique=False)
    op.create_table('outbox_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=60), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_until', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], name=op.f('fk_outbox_delivery_event_id_outbox_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_delivery')),
    sa.UniqueConstraint('event_id', 'channel', 'recipient', name=op.f('uq_outbox_delivery_event_id'))
    )
    op.create_index('ix_outbox_delivery_due', 'outbox_delivery', ['state', 'next_attempt_at'], unique=False)
    op.create_index('ix_outbox_delivery_case_channel', 'outbox_delivery', ['case_id', 'channel', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_delivery_case_channel', table_name='outbox_delivery')
    op.drop_index('ix_outbox_delivery_due', table_name='outbox_delivery')
    op.drop_table('outbox_delivery')
    op.drop_index(op.f('ix_outbox_event_case_id'), table_name='outbox_event')
    op.drop_table('outbox_event')
    with op.batch_alter_table('service_case') as batch:
        batch.drop_column('applicant_email')
