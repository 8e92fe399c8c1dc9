"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 20:25:15.646686
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('imported_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    op.create_table('case_counter',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_case_counter'))
    )
    op.create_table('department',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('short_name', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_department'))
    )
    op.create_table('process_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('deployed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_version')),
    sa.UniqueConstraint('process_id', 'version', name='uq_process_version_process_id_version')
    )
    op.create_table('service_item',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('case_type', sa.String(length=10), nullable=False),
    sa.Column('legal_limit_days', sa.Integer(), nullable=False),
    sa.Column('promised_limit_days', sa.Integer(), nullable=False),
    sa.Column('correction_window_days', sa.Integer(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('fee', sa.String(length=100), nullable=False),
    sa.Column('delivery_options', sa.JSON(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('result_name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_service_item_department_code_department')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_service_item'))
    )
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_item_department_code'), ['department_code'], unique=False)

    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_staff_department_code_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_username'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_department_code'), ['department_code'], unique=False)

    op.create_table('item_co_department',
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_item_co_department_department_code_department')),
    sa.ForeignKeyConstraint(['item_code'], ['service_item.code'], name=op.f('fk_item_co_department_item_code_service_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_code', 'department_code', name=op.f('pk_item_co_department'))
    )
    op.create_table('item_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('form', sa.String(length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('commitment_allowed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['item_code'], ['service_item.code'], name=op.f('fk_item_material_item_code_service_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_material')),
    sa.UniqueConstraint('item_code', 'code', name=op.f('uq_item_material_item_code'))
    )
    with op.batch_alter_table('item_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_material_item_code'), ['item_code'], unique=False)

    op.create_table('service_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('case_type', sa.String(length=10), nullable=False),
    sa.Column('promised_limit_days', sa.Integer(), nullable=False),
    sa.Column('applicant_kind', sa.String(length=12), nullable=False),
    sa.Column('applicant_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_id_type', sa.String(length=30), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=30), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), nullable=False),
    sa.Column('applicant_address', sa.String(length=200), nullable=False),
    sa.Column('applicant_contact', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('stage', sa.String(length=200), nullable=False),
    sa.Column('received_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('notice_issued_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notice_count', sa.Integer(), nullable=False),
    sa.Column('accepted_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('deemed_accepted', sa.Boolean(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('decided_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('delivered_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivery_method', sa.String(length=10), nullable=True),
    sa.Column('rating', sa.String(length=10), nullable=True),
    sa.Column('closed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('next_timer_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_service_case_created_by_id_staff')),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_service_case_department_code_department')),
    sa.ForeignKeyConstraint(['item_code'], ['service_item.code'], name=op.f('fk_service_case_item_code_service_item')),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_version.id'], name=op.f('fk_service_case_process_version_id_process_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_case')),
    sa.UniqueConstraint('number', name=op.f('uq_service_case_number'))
    )
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.create_index('ix_case_next_timer_at', ['next_timer_at'], unique=False)
        batch_op.create_index('ix_case_open_by_department', ['closed_at', 'department_code'], unique=False)
        batch_op.create_index('ix_case_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_case_item_code'), ['item_code'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=50), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('before_status', sa.String(length=10), nullable=True),
    sa.Column('after_status', sa.String(length=10), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_audit_entry_actor_id_staff')),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_audit_entry_case_id_service_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_actor', ['actor', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_case', ['case_id', 'id'], unique=False)

    op.create_table('human_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('bpmn_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=True),
    sa.Column('form', sa.String(length=100), nullable=False),
    sa.Column('claim_required', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('closed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff.id'], name=op.f('fk_human_task_assignee_id_staff')),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_human_task_case_id_service_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['staff.id'], name=op.f('fk_human_task_completed_by_id_staff')),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_human_task_department_code_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_task'))
    )
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_assignee', ['state', 'assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_human_task_queue', ['state', 'department_code', 'role'], unique=False)

    op.create_table('workflow_state',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('serializer_version', sa.String(length=10), nullable=False),
    sa.Column('header', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_workflow_state_case_id_service_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_workflow_state'))
    )
    op.create_table('workflow_task',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('workflow_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_workflow_task_case_id_service_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'id', name=op.f('pk_workflow_task'))
    )
    with op.batch_alter_table('workflow_task', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_task_case_seq', ['case_id', 'seq'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('workflow_task', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_task_case_seq')

    op.drop_table('workflow_task')
    op.drop_table('workflow_state')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_queue')
        batch_op.drop_index(batch_op.f('ix_human_task_case_id'))
        batch_op.drop_index('ix_human_task_assignee')

    op.drop_table('human_task')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_case')
        batch_op.drop_index('ix_audit_entry_actor')

    op.drop_table('audit_entry')
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_case_item_code'))
        batch_op.drop_index('ix_case_status')
        batch_op.drop_index('ix_case_open_by_department')
        batch_op.drop_index('ix_case_next_timer_at')

    op.drop_table('service_case')
    with op.batch_alter_table('item_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_material_item_code'))

    op.drop_table('item_material')
    op.drop_table('item_co_department')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_department_code'))

    op.drop_table('staff')
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_item_department_code'))

    op.drop_table('service_item')
    op.drop_table('process_version')
    op.drop_table('department')
    op.drop_table('case_counter')
    op.drop_table('calendar_year')
    op.drop_table('calendar_day')
