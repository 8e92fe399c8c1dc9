"""Attendance (考勤) and leave (请销假): working hours per season, sign-in records, computed days, leave requests

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-02 16:45:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attendance_hours',
    sa.Column('season', sa.String(length=10), nullable=False),
    sa.Column('first_day', sa.String(length=5), nullable=True),
    sa.Column('last_day', sa.String(length=5), nullable=True),
    sa.Column('morning_start', sa.Time(), nullable=False),
    sa.Column('morning_end', sa.Time(), nullable=False),
    sa.Column('afternoon_start', sa.Time(), nullable=False),
    sa.Column('afternoon_end', sa.Time(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_attendance_hours_updated_by_id_staff')),
    sa.PrimaryKeyConstraint('season', name=op.f('pk_attendance_hours'))
    )
    op.create_table('attendance_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('signed_in_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_out_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['staff.id'], name=op.f('fk_attendance_record_imported_by_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_attendance_record_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_record')),
    sa.UniqueConstraint('staff_id', 'day', name=op.f('uq_attendance_record_staff_id'))
    )
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_record_day'), ['day'], unique=False)
    op.create_table('attendance_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('computed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_attendance_day'))
    )
    op.create_table('leave_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('cover_staff_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('requested_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('department_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('department_approved_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('center_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('center_approved_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('absence_id', sa.Integer(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('returned_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['absence_id'], ['post_absence.id'], name=op.f('fk_leave_request_absence_id_post_absence')),
    sa.ForeignKeyConstraint(['center_approved_by_id'], ['staff.id'], name=op.f('fk_leave_request_center_approved_by_id_staff')),
    sa.ForeignKeyConstraint(['cover_staff_id'], ['staff.id'], name=op.f('fk_leave_request_cover_staff_id_staff')),
    sa.ForeignKeyConstraint(['department_approved_by_id'], ['staff.id'], name=op.f('fk_leave_request_department_approved_by_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_leave_request_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leave_request'))
    )
    with op.batch_alter_table('leave_request', schema=None) as batch_op:
        batch_op.create_index('ix_leave_request_staff', ['staff_id', 'starts_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_leave_request_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('leave_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leave_request_state'))
        batch_op.drop_index('ix_leave_request_staff')
    op.drop_table('leave_request')
    op.drop_table('attendance_day')
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_record_day'))
    op.drop_table('attendance_record')
    op.drop_table('attendance_hours')
