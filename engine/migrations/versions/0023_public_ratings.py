"""the public guide's place, hours and procedure; the applicant's own rating and the department's contest

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 17:45:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UTCDateTime

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hours', sa.String(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('case_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), nullable=False, server_default='window'))
    op.create_table(
        'rating_contest',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('rating_id', sa.Integer(), sa.ForeignKey('case_rating.id', ondelete='CASCADE',
                                                           name='fk_rating_contest_rating_id_case_rating'),
                  nullable=False),
        sa.Column('department_code', sa.String(length=16),
                  sa.ForeignKey('department.code', name='fk_rating_contest_department_code_department'),
                  nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('filed_by_id', sa.Integer(), sa.ForeignKey('staff.id', name='fk_rating_contest_filed_by_id_staff'),
                  nullable=False),
        sa.Column('filed_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(),
                  sa.ForeignKey('staff.id', name='fk_rating_contest_decided_by_id_staff'), nullable=True),
        sa.Column('decided_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.UniqueConstraint('rating_id', name='uq_rating_contest_rating_id'),
    )
    op.create_index('ix_rating_contest_state', 'rating_contest', ['state'])


def downgrade():
    op.drop_index('ix_rating_contest_state', table_name='rating_contest')
    op.drop_table('rating_contest')
    with op.batch_alter_table('case_rating', schema=None) as batch_op:
        batch_op.drop_column('source')
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.drop_column('hours')
        batch_op.drop_column('place')
        batch_op.drop_column('procedure')
