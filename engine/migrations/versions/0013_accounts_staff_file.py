"""accounts for a real center: several roles, demo and one-time passwords, the staff file,
chief representatives' authorisations, staff rule overrides, a window's kind and second B post

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra_roles', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('password_expires_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('password_changed_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('seconding_unit', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('title', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('joined_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('leaves_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('leave_announced_on', sa.Date(), nullable=True))
    with op.batch_alter_table('service_window', schema=None) as batch_op:
        batch_op.add_column(sa.Column('b2_staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='comprehensive', nullable=False))
        batch_op.add_column(sa.Column('category', sa.String(length=50), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_service_window_b2_staff_id_staff'), 'staff', ['b2_staff_id'], ['id'])
    op.execute("UPDATE service_window SET kind = 'department' WHERE department_code IS NOT NULL")
    op.create_table('chief_authorisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=500), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_chief_authorisation_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_chief_authorisation_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chief_authorisation'))
    )
    with op.batch_alter_table('chief_authorisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chief_authorisation_staff_id'), ['staff_id'], unique=False)
    op.create_table('staff_rule_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('department_code', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_staff_rule_override_department_code_department')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_staff_rule_override_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_rule_override_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_rule_override'))
    )


def downgrade():
    op.drop_table('staff_rule_override')
    with op.batch_alter_table('chief_authorisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chief_authorisation_staff_id'))
    op.drop_table('chief_authorisation')
    with op.batch_alter_table('service_window', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_window_b2_staff_id_staff'), type_='foreignkey')
        batch_op.drop_column('category')
        batch_op.drop_column('kind')
        batch_op.drop_column('b2_staff_id')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        for column in ('leave_announced_on', 'leaves_on', 'joined_on', 'phone', 'title', 'seconding_unit',
                       'deactivated_at', 'password_changed_at', 'password_expires_at', 'must_change_password',
                       'is_demo', 'extra_roles'):
            batch_op.drop_column(column)
