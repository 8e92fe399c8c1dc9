"""appointments (预约): each window's time slots with their places, and the bookings

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 06:40:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UTCDateTime

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'appointment_slot',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('window_code', sa.String(length=16),
                  sa.ForeignKey('service_window.code', name='fk_appointment_slot_window_code_service_window'),
                  nullable=False),
        sa.Column('starts_at', sa.Time(), nullable=False),
        sa.Column('ends_at', sa.Time(), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.UniqueConstraint('window_code', 'starts_at', name='uq_appointment_slot_window_code'),
    )
    op.create_table(
        'appointment',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('slot_id', sa.Integer(),
                  sa.ForeignKey('appointment_slot.id', name='fk_appointment_slot_id_appointment_slot'), nullable=False),
        sa.Column('window_code', sa.String(length=16),
                  sa.ForeignKey('service_window.code', name='fk_appointment_window_code_service_window'),
                  nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('starts_at', sa.Time(), nullable=False),
        sa.Column('ends_at', sa.Time(), nullable=False),
        sa.Column('item_code', sa.String(length=32),
                  sa.ForeignKey('service_item.code', name='fk_appointment_item_code_service_item'), nullable=False),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('applicant_kind', sa.String(length=20), nullable=False),
        sa.Column('applicant_name', sa.String(length=100), nullable=False),
        sa.Column('id_type', sa.String(length=30), nullable=False),
        sa.Column('id_number', sa.String(length=30), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('email', sa.String(length=120), nullable=False),
        sa.Column('contact_name', sa.String(length=50), nullable=False),
        sa.Column('holder', sa.String(length=30), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('booked_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('booked_by_id', sa.Integer(), sa.ForeignKey('staff.id', name='fk_appointment_booked_by_id_staff'),
                  nullable=True),
        sa.Column('cancelled_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('arrived_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('no_show_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('handled_by_id', sa.Integer(), sa.ForeignKey('staff.id', name='fk_appointment_handled_by_id_staff'),
                  nullable=True),
        sa.Column('registered_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('service_case.id', name='fk_appointment_case_id_service_case'),
                  nullable=True),
        sa.UniqueConstraint('code', name='uq_appointment_code'),
        sa.UniqueConstraint('case_id', name='uq_appointment_case_id'),
        sa.UniqueConstraint('item_code', 'day', 'holder', name='uq_appointment_item_code'),
    )
    op.create_index('ix_appointment_slot_day', 'appointment', ['slot_id', 'day'])
    op.create_index('ix_appointment_window_day', 'appointment', ['window_code', 'day'])
    op.create_index('ix_appointment_state', 'appointment', ['state'])


def downgrade():
    op.drop_index('ix_appointment_state', table_name='appointment')
    op.drop_index('ix_appointment_window_day', table_name='appointment')
    op.drop_index('ix_appointment_slot_day', table_name='appointment')
    op.drop_table('appointment')
    op.drop_table('appointment_slot')
