"""ledger schemes: where each rule is written, a rule with several triggers, the scheme's settings
(category budgets, disqualifications, the annual weighting), and entries against a seconding department

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-02 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledger_rule') as batch:
        batch.drop_constraint('uq_ledger_rule_trigger', type_='unique')
        batch.alter_column('trigger', existing_type=sa.String(length=30), type_=sa.String(length=200),
                           existing_nullable=True)
        batch.add_column(sa.Column('seed', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('part', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('item', sa.String(length=30), nullable=True))
        batch.add_column(sa.Column('scope', sa.String(length=12), nullable=False, server_default='staff'))
    with op.batch_alter_table('ledger_rule_set') as batch:
        batch.add_column(sa.Column('scheme', sa.JSON(), nullable=True))
    op.create_table(
        'ledger_department_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_code', sa.String(length=16), nullable=False),
        sa.Column('rule_code', sa.String(length=20), nullable=False),
        sa.Column('points', sa.Numeric(precision=6, scale=1), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['department_code'], ['department.code'],
                                name=op.f('fk_ledger_department_entry_department_code_department')),
        sa.ForeignKeyConstraint(['rule_code'], ['ledger_rule.code'],
                                name=op.f('fk_ledger_department_entry_rule_code_ledger_rule')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'],
                                name=op.f('fk_ledger_department_entry_recorded_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_department_entry')),
    )
    op.create_index('ix_ledger_department_entry_day', 'ledger_department_entry', ['department_code', 'occurred_on'])


def downgrade():
    op.drop_index('ix_ledger_department_entry_day', table_name='ledger_department_entry')
    op.drop_table('ledger_department_entry')
    with op.batch_alter_table('ledger_rule_set') as batch:
        batch.drop_column('scheme')
    with op.batch_alter_table('ledger_rule') as batch:
        for column in ('scope', 'item', 'part', 'seed'):
            batch.drop_column(column)
        batch.alter_column('trigger', existing_type=sa.String(length=200), type_=sa.String(length=30),
                           existing_nullable=True)
        batch.create_unique_constraint('uq_ledger_rule_trigger', ['trigger'])
