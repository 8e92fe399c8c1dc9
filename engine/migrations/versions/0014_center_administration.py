"""the center administered in the app: item versions and guide fields, attachments, rule catalogue versions

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UTCDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conditions', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('fee_basis', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contacts', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_version', sa.Integer(), nullable=True))
    op.create_table(
        'service_item_version',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('item_code', sa.String(length=32), sa.ForeignKey('service_item.code', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('saved_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('saved_by', sa.String(length=50), nullable=False),
        sa.UniqueConstraint('item_code', 'version'),
    )
    op.create_index('ix_service_item_version_item_code', 'service_item_version', ['item_code'])
    op.create_table(
        'item_attachment',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('item_code', sa.String(length=32), sa.ForeignKey('service_item.code', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('uploaded_by', sa.String(length=50), nullable=False),
    )
    op.create_index('ix_item_attachment_item_code', 'item_attachment', ['item_code'])
    op.create_table(
        'ledger_rule_set',
        sa.Column('version', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('loaded_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('loaded_by', sa.String(length=50), nullable=False),
    )


def downgrade():
    op.drop_table('ledger_rule_set')
    op.drop_index('ix_item_attachment_item_code', table_name='item_attachment')
    op.drop_table('item_attachment')
    op.drop_index('ix_service_item_version_item_code', table_name='service_item_version')
    op.drop_table('service_item_version')
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.drop_column('item_version')
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('contacts')
        batch_op.drop_column('fee_basis')
        batch_op.drop_column('conditions')
