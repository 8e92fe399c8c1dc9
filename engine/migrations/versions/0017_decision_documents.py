"""decision documents (准予 / 不予行政许可决定书) with their 送达回证, their numbering, the 否决备案 register

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_counter',
        sa.Column('department_code', sa.String(length=16), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['department_code'], ['department.code'],
                                name=op.f('fk_document_counter_department_code_department')),
        sa.PrimaryKeyConstraint('department_code', 'year', name=op.f('pk_document_counter')),
    )
    op.create_table(
        'decision_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('department_code', sa.String(length=16), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('authority', sa.String(length=100), nullable=False),
        sa.Column('case_number', sa.String(length=32), nullable=False),
        sa.Column('applicant_name', sa.String(length=100), nullable=False),
        sa.Column('item_code', sa.String(length=32), nullable=False),
        sa.Column('item_name', sa.String(length=200), nullable=False),
        sa.Column('item_legal_basis', sa.Text(), nullable=False),
        sa.Column('result_name', sa.String(length=100), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('accepted_on', sa.Date(), nullable=True),
        sa.Column('opinion', sa.Text(), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=True),
        sa.Column('issued_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('delivery_method', sa.String(length=10), nullable=True),
        sa.Column('delivered_on', sa.Date(), nullable=True),
        sa.Column('delivered_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('recipient_name', sa.String(length=100), nullable=True),
        sa.Column('recipient_role', sa.String(length=20), nullable=True),
        sa.Column('delivery_note', sa.String(length=200), nullable=True),
        sa.Column('delivery_recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], ondelete='CASCADE',
                                name=op.f('fk_decision_document_case_id_service_case')),
        sa.ForeignKeyConstraint(['department_code'], ['department.code'],
                                name=op.f('fk_decision_document_department_code_department')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['staff.id'], name=op.f('fk_decision_document_issued_by_id_staff')),
        sa.ForeignKeyConstraint(['delivery_recorded_by_id'], ['staff.id'],
                                name=op.f('fk_decision_document_delivery_recorded_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_document')),
        sa.UniqueConstraint('case_id', name=op.f('uq_decision_document_case_id')),
        sa.UniqueConstraint('department_code', 'year', 'serial',
                            name=op.f('uq_decision_document_department_code')),
    )
    op.create_table(
        'refusal_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('case_number', sa.String(length=32), nullable=False),
        sa.Column('department_code', sa.String(length=16), nullable=False),
        sa.Column('item_code', sa.String(length=32), nullable=False),
        sa.Column('item_name', sa.String(length=200), nullable=False),
        sa.Column('applicant_name', sa.String(length=100), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('document_number', sa.String(length=60), nullable=True),
        sa.Column('refused_by_id', sa.Integer(), nullable=True),
        sa.Column('refused_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('refused_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], ondelete='CASCADE',
                                name=op.f('fk_refusal_record_case_id_service_case')),
        sa.ForeignKeyConstraint(['department_code'], ['department.code'],
                                name=op.f('fk_refusal_record_department_code_department')),
        sa.ForeignKeyConstraint(['refused_by_id'], ['staff.id'], name=op.f('fk_refusal_record_refused_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refusal_record')),
    )
    op.create_index('ix_refusal_record_case_id', 'refusal_record', ['case_id'])
    op.create_index('ix_refusal_record_refused_on', 'refusal_record', ['refused_on'])
    op.create_index('ix_refusal_record_department', 'refusal_record', ['department_code', 'refused_on'])


def downgrade():
    op.drop_index('ix_refusal_record_department', table_name='refusal_record')
    op.drop_index('ix_refusal_record_refused_on', table_name='refusal_record')
    op.drop_index('ix_refusal_record_case_id', table_name='refusal_record')
    op.drop_table('refusal_record')
    op.drop_table('decision_document')
    op.drop_table('document_counter')
