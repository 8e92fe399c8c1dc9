"""enquiries (首问负责, 咨询): the enquiry, its referrals, the day's receipt counter; XL-06 becomes automatic

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 06:20:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enquiry_counter',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_enquiry_counter'))
    )
    op.create_table('enquiry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('asker_name', sa.String(length=50), nullable=False),
    sa.Column('asker_phone', sa.String(length=20), nullable=True),
    sa.Column('item_code', sa.String(length=32), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('received_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('first_staff_id', sa.Integer(), nullable=True),
    sa.Column('department_code', sa.String(length=16), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reply_due_on', sa.Date(), nullable=True),
    sa.Column('reply_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('referral_due_on', sa.Date(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lapsed_on', sa.Date(), nullable=True),
    sa.Column('charged_staff_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['staff.id'], name=op.f('fk_enquiry_answered_by_id_staff')),
    sa.ForeignKeyConstraint(['charged_staff_id'], ['staff.id'], name=op.f('fk_enquiry_charged_staff_id_staff')),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_enquiry_department_code_department')),
    sa.ForeignKeyConstraint(['first_staff_id'], ['staff.id'], name=op.f('fk_enquiry_first_staff_id_staff')),
    sa.ForeignKeyConstraint(['item_code'], ['service_item.code'], name=op.f('fk_enquiry_item_code_service_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry')),
    sa.UniqueConstraint('number', name=op.f('uq_enquiry_number'))
    )
    with op.batch_alter_table('enquiry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enquiry_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_enquiry_first_staff_id'), ['first_staff_id'], unique=False)
        batch_op.create_index('ix_enquiry_received_on', ['received_on'], unique=False)
        batch_op.create_index('ix_enquiry_state_reply_due', ['state', 'reply_due_on'], unique=False)

    op.create_table('enquiry_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enquiry_id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('referred_by_id', sa.Integer(), nullable=False),
    sa.Column('referred_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_enquiry_referral_department_code_department')),
    sa.ForeignKeyConstraint(['enquiry_id'], ['enquiry.id'], name=op.f('fk_enquiry_referral_enquiry_id_enquiry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referred_by_id'], ['staff.id'], name=op.f('fk_enquiry_referral_referred_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry_referral'))
    )
    with op.batch_alter_table('enquiry_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enquiry_referral_enquiry_id'), ['enquiry_id'], unique=False)
    # A center scoring by 篇四 has XL-06 (回复网上咨询超过2个工作日) as a supervisor's rule: the late-reply
    # job now records it (engine/enquiry_book.py), as rules.toml says.
    op.execute("UPDATE ledger_rule SET \"trigger\" = 'enquiry_late_reply' WHERE code = 'XL-06' "
               "AND name = '回复网上咨询超过2个工作日' AND \"trigger\" IS NULL")


def downgrade() -> None:
    op.execute("UPDATE ledger_rule SET \"trigger\" = NULL WHERE \"trigger\" = 'enquiry_late_reply'")
    with op.batch_alter_table('enquiry_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enquiry_referral_enquiry_id'))

    op.drop_table('enquiry_referral')
    with op.batch_alter_table('enquiry', schema=None) as batch_op:
        batch_op.drop_index('ix_enquiry_state_reply_due')
        batch_op.drop_index('ix_enquiry_received_on')
        batch_op.drop_index(batch_op.f('ix_enquiry_first_staff_id'))
        batch_op.drop_index(batch_op.f('ix_enquiry_department_code'))

    op.drop_table('enquiry')
    op.drop_table('enquiry_counter')
