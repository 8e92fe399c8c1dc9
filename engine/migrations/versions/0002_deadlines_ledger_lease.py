"""deadline states, scoring ledger, scheduler lease

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:23:12.660356
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lease',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=True),
    sa.Column('expires_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acquired_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_lease'))
    )
    op.create_table('ledger_rule',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('points', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('unit', sa.String(length=12), nullable=False),
    sa.Column('veto', sa.Boolean(), nullable=False),
    sa.Column('trigger', sa.String(length=30), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_ledger_rule')),
    sa.UniqueConstraint('trigger', name=op.f('uq_ledger_rule_trigger'))
    )
    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('rule_code', sa.String(length=20), nullable=False),
    sa.Column('points', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('violation_key', sa.String(length=120), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('appeal_reason', sa.Text(), nullable=True),
    sa.Column('appealed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_ledger_entry_case_id_service_case'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff.id'], name=op.f('fk_ledger_entry_decided_by_id_staff')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_ledger_entry_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['rule_code'], ['ledger_rule.code'], name=op.f('fk_ledger_entry_rule_code_ledger_rule')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_ledger_entry_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry')),
    sa.UniqueConstraint('violation_key', name=op.f('uq_ledger_entry_violation_key'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entry_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_ledger_entry_day', ['occurred_on'], unique=False)
        batch_op.create_index('ix_ledger_entry_staff_day', ['staff_id', 'occurred_on'], unique=False)

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_state', sa.String(length=10), server_default='normal', nullable=False))
        batch_op.add_column(sa.Column('deadline_state_since', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_human_task_open_deadline', ['assignee_id', 'deadline_state'], unique=False, postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))

    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_state', sa.String(length=10), server_default='normal', nullable=False))
        batch_op.add_column(sa.Column('deadline_state_since', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deadline_check_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_days_charged', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_case_deadline_check_at', ['deadline_check_at'], unique=False)
        batch_op.create_index('ix_case_open_deadline', ['department_code', 'deadline_state'], unique=False, postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.create_index('ix_case_open_flagged', ['deadline_state', 'due_date'], unique=False, postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_open_flagged', postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index('ix_case_open_deadline', postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index('ix_case_deadline_check_at')
        batch_op.drop_column('overdue_days_charged')
        batch_op.drop_column('deadline_check_at')
        batch_op.drop_column('deadline_state_since')
        batch_op.drop_column('deadline_state')

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_open_deadline', postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))
        batch_op.drop_column('deadline_state_since')
        batch_op.drop_column('deadline_state')

    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entry_staff_day')
        batch_op.drop_index('ix_ledger_entry_day')
        batch_op.drop_index(batch_op.f('ix_ledger_entry_case_id'))

    op.drop_table('ledger_entry')
    op.drop_table('ledger_rule')
    op.drop_table('lease')
