"""joint review (联审联办) opinions, clock suspensions and extensions, 容缺受理 commitments, postal parcels

Existing items get the defaults: co-reviewers reply in 7 working days, a 上报件 stops the clock.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 23:33:13
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=30), nullable=False),
    sa.Column('material_code', sa.String(length=16), nullable=False),
    sa.Column('material_name', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('committed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('closed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_case_commitment_case_id_service_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['staff.id'], name=op.f('fk_case_commitment_closed_by_id_staff')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_case_commitment_recorded_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_commitment'))
    )
    with op.batch_alter_table('case_commitment', schema=None) as batch_op:
        batch_op.create_index('ix_case_commitment_applicant', ['applicant_id_number', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_commitment_case_id'), ['case_id'], unique=False)

    op.create_table('case_extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('due_before', sa.Date(), nullable=True),
    sa.Column('due_after', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_case_extension_case_id_service_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff.id'], name=op.f('fk_case_extension_decided_by_id_staff')),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_case_extension_department_code_department')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staff.id'], name=op.f('fk_case_extension_requested_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_extension'))
    )
    with op.batch_alter_table('case_extension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_extension_case_id'), ['case_id'], unique=False)

    op.create_table('clock_suspension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('started_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('ended_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=True),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.Column('due_before', sa.Date(), nullable=True),
    sa.Column('due_after', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_clock_suspension_case_id_service_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_clock_suspension_department_code_department')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['staff.id'], name=op.f('fk_clock_suspension_ended_by_id_staff')),
    sa.ForeignKeyConstraint(['started_by_id'], ['staff.id'], name=op.f('fk_clock_suspension_started_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_suspension'))
    )
    with op.batch_alter_table('clock_suspension', schema=None) as batch_op:
        batch_op.create_index('ix_clock_suspension_case', ['case_id', 'started_at'], unique=False)

    op.create_table('joint_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('part', sa.String(length=4), nullable=False),
    sa.Column('position', sa.String(length=6), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_joint_opinion_case_id_service_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_joint_opinion_department_code_department')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['staff.id'], name=op.f('fk_joint_opinion_signed_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_opinion')),
    sa.UniqueConstraint('case_id', 'task_id', name=op.f('uq_joint_opinion_case_id'))
    )
    with op.batch_alter_table('joint_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_opinion_case_id'), ['case_id'], unique=False)

    op.create_table('postal_parcel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=20), nullable=False),
    sa.Column('waybill_number', sa.String(length=30), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('handed_by_id', sa.Integer(), nullable=True),
    sa.Column('handed_to', sa.String(length=50), nullable=False),
    sa.Column('dispatched_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dispatched_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('signed_by', sa.String(length=50), nullable=True),
    sa.Column('confirmed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_postal_parcel_case_id_service_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['staff.id'], name=op.f('fk_postal_parcel_confirmed_by_id_staff')),
    sa.ForeignKeyConstraint(['handed_by_id'], ['staff.id'], name=op.f('fk_postal_parcel_handed_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postal_parcel')),
    sa.UniqueConstraint('case_id', name=op.f('uq_postal_parcel_case_id')),
    sa.UniqueConstraint('waybill_number', name=op.f('uq_postal_parcel_waybill_number'))
    )
    with op.batch_alter_table('postal_parcel', schema=None) as batch_op:
        batch_op.create_index('ix_postal_parcel_open', ['due_on'], unique=False, postgresql_where=sa.text('delivered_on IS NULL'), sqlite_where=sa.text('delivered_on IS NULL'))

    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('suspended_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('extended_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('commitment_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('commitment_state', sa.String(length=10), server_default='normal', nullable=False))
        batch_op.create_index('ix_case_open_commitment', ['department_code', 'commitment_state'], unique=False, postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))

    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('co_review_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.add_column(sa.Column('higher_authority', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('report_clock', sa.String(length=10), server_default='suspended', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.drop_column('report_clock')
        batch_op.drop_column('higher_authority')
        batch_op.drop_column('co_review_days')

    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_open_commitment', postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.drop_column('commitment_state')
        batch_op.drop_column('commitment_due')
        batch_op.drop_column('extended_days')
        batch_op.drop_column('suspended_days')
        batch_op.drop_column('suspended_since')

    with op.batch_alter_table('postal_parcel', schema=None) as batch_op:
        batch_op.drop_index('ix_postal_parcel_open', postgresql_where=sa.text('delivered_on IS NULL'), sqlite_where=sa.text('delivered_on IS NULL'))

    op.drop_table('postal_parcel')
    with op.batch_alter_table('joint_opinion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_joint_opinion_case_id'))

    op.drop_table('joint_opinion')
    with op.batch_alter_table('clock_suspension', schema=None) as batch_op:
        batch_op.drop_index('ix_clock_suspension_case')

    op.drop_table('clock_suspension')
    with op.batch_alter_table('case_extension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_extension_case_id'))

    op.drop_table('case_extension')
    with op.batch_alter_table('case_commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_commitment_case_id'))
        batch_op.drop_index('ix_case_commitment_applicant')

    op.drop_table('case_commitment')
