"""A/B posts (AB岗): service windows with their A and B staff, and A's absences covered by B

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:34:10
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_window',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=True),
    sa.Column('a_staff_id', sa.Integer(), nullable=False),
    sa.Column('b_staff_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['a_staff_id'], ['staff.id'], name=op.f('fk_service_window_a_staff_id_staff')),
    sa.ForeignKeyConstraint(['b_staff_id'], ['staff.id'], name=op.f('fk_service_window_b_staff_id_staff')),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_service_window_department_code_department')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_service_window')),
    sa.UniqueConstraint('a_staff_id', name=op.f('uq_service_window_a_staff_id'))
    )
    op.create_table('post_absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_code', sa.String(length=16), nullable=False),
    sa.Column('a_staff_id', sa.Integer(), nullable=False),
    sa.Column('b_staff_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['a_staff_id'], ['staff.id'], name=op.f('fk_post_absence_a_staff_id_staff')),
    sa.ForeignKeyConstraint(['b_staff_id'], ['staff.id'], name=op.f('fk_post_absence_b_staff_id_staff')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['staff.id'], name=op.f('fk_post_absence_cancelled_by_id_staff')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_post_absence_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['window_code'], ['service_window.code'], name=op.f('fk_post_absence_window_code_service_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_absence'))
    )
    with op.batch_alter_table('post_absence', schema=None) as batch_op:
        batch_op.create_index('ix_post_absence_a_staff', ['a_staff_id', 'starts_on'], unique=False)
        batch_op.create_index('ix_post_absence_b_staff', ['b_staff_id', 'ends_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('post_absence', schema=None) as batch_op:
        batch_op.drop_index('ix_post_absence_b_staff')
        batch_op.drop_index('ix_post_absence_a_staff')

    op.drop_table('post_absence')
    op.drop_table('service_window')
