"""service accounts with their tokens; online pre-applications from the provincial platform

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 06:40:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UTCDateTime

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def _staff(column: str, table: str) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey('staff.id', name=f'fk_{table}_{column}_staff'), nullable=True)


def upgrade():
    op.create_table(
        'service_account',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('client_id', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('scopes', sa.String(length=200), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        _staff('created_by_id', 'service_account'),
        sa.Column('rotated_at', UTCDateTime(timezone=True), nullable=True),
        _staff('rotated_by_id', 'service_account'),
        sa.Column('deactivated_at', UTCDateTime(timezone=True), nullable=True),
        _staff('deactivated_by_id', 'service_account'),
        sa.UniqueConstraint('client_id', name='uq_service_account_client_id'),
    )
    op.create_table(
        'service_token',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('account_id', sa.Integer(),
                  sa.ForeignKey('service_account.id', name='fk_service_token_account_id_service_account'),
                  nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint('token_hash', name='uq_service_token_token_hash'),
    )
    op.create_index('ix_service_token_account_id', 'service_token', ['account_id'])
    op.create_table(
        'pre_application',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('platform_application_id', sa.String(length=64), nullable=False),
        sa.Column('account_id', sa.Integer(),
                  sa.ForeignKey('service_account.id', name='fk_pre_application_account_id_service_account'),
                  nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('item_code', sa.String(length=32),
                  sa.ForeignKey('service_item.code', name='fk_pre_application_item_code_service_item'),
                  nullable=False),
        sa.Column('applicant', sa.JSON(), nullable=False),
        sa.Column('materials', sa.JSON(), nullable=False),
        sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('arrived_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('case_id', sa.Integer(),
                  sa.ForeignKey('service_case.id', name='fk_pre_application_case_id_service_case'), nullable=True),
        _staff('handled_by_id', 'pre_application'),
        sa.Column('handled_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('rejection_reason', sa.Text(), nullable=True),
        sa.UniqueConstraint('platform_application_id', name='uq_pre_application_platform_application_id'),
        sa.UniqueConstraint('case_id', name='uq_pre_application_case_id'),
    )
    op.create_index('ix_pre_application_state_received', 'pre_application', ['state', 'received_at'])


def downgrade():
    op.drop_index('ix_pre_application_state_received', table_name='pre_application')
    op.drop_table('pre_application')
    op.drop_index('ix_service_token_account_id', table_name='service_token')
    op.drop_table('service_token')
    op.drop_table('service_account')
