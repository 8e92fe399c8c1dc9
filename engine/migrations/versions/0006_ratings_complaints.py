"""ratings (好差评) with verification and rectification; complaints (投诉) and their numbers

Ratings given before this revision are not copied: the satisfaction rates count from here on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:40:11
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_counter',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_complaint_counter'))
    )
    op.create_table('case_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rated_on', sa.Date(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('responsible_staff_id', sa.Integer(), nullable=True),
    sa.Column('verification', sa.String(length=12), nullable=False),
    sa.Column('not_real_kind', sa.String(length=10), nullable=True),
    sa.Column('verdict_reason', sa.Text(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_case_rating_case_id_service_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_case_rating_department_code_department')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['staff.id'], name=op.f('fk_case_rating_entered_by_id_staff')),
    sa.ForeignKeyConstraint(['responsible_staff_id'], ['staff.id'], name=op.f('fk_case_rating_responsible_staff_id_staff')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['staff.id'], name=op.f('fk_case_rating_verified_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_rating')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_rating_case_id'))
    )
    with op.batch_alter_table('case_rating', schema=None) as batch_op:
        batch_op.create_index('ix_case_rating_pending', ['rated_on'], unique=False, postgresql_where=sa.text("verification = 'pending'"), sqlite_where=sa.text("verification = 'pending'"))
        batch_op.create_index('ix_case_rating_rated_on', ['rated_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_rating_responsible_staff_id'), ['responsible_staff_id'], unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('complainant_name', sa.String(length=50), nullable=False),
    sa.Column('complainant_phone', sa.String(length=20), nullable=False),
    sa.Column('target_staff_id', sa.Integer(), nullable=True),
    sa.Column('target_window', sa.String(length=30), nullable=True),
    sa.Column('target_department_code', sa.String(length=16), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('complex', sa.Boolean(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reply_due_on', sa.Date(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.Column('replied_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verdict', sa.String(length=12), nullable=True),
    sa.Column('verdict_reason', sa.Text(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_complaint_case_id_service_case'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['staff.id'], name=op.f('fk_complaint_registered_by_id_staff')),
    sa.ForeignKeyConstraint(['replied_by_id'], ['staff.id'], name=op.f('fk_complaint_replied_by_id_staff')),
    sa.ForeignKeyConstraint(['target_department_code'], ['department.code'], name=op.f('fk_complaint_target_department_code_department')),
    sa.ForeignKeyConstraint(['target_staff_id'], ['staff.id'], name=op.f('fk_complaint_target_staff_id_staff')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['staff.id'], name=op.f('fk_complaint_verified_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('number', name=op.f('uq_complaint_number'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_received_on', ['received_on'], unique=False)
        batch_op.create_index('ix_complaint_reply_owed', ['reply_due_on'], unique=False, postgresql_where=sa.text('replied_at IS NULL'), sqlite_where=sa.text('replied_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_complaint_target_staff_id'), ['target_staff_id'], unique=False)

    op.create_table('rectification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('opened_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['staff.id'], name=op.f('fk_rectification_closed_by_id_staff')),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_rectification_department_code_department')),
    sa.ForeignKeyConstraint(['rating_id'], ['case_rating.id'], name=op.f('fk_rectification_rating_id_case_rating'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_rectification_rating_id'))
    )
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.create_index('ix_rectification_department_state', ['department_code', 'state', 'due_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_department_state')

    op.drop_table('rectification')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_target_staff_id'))
        batch_op.drop_index('ix_complaint_reply_owed', postgresql_where=sa.text('replied_at IS NULL'), sqlite_where=sa.text('replied_at IS NULL'))
        batch_op.drop_index('ix_complaint_received_on')

    op.drop_table('complaint')
    with op.batch_alter_table('case_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_rating_responsible_staff_id'))
        batch_op.drop_index('ix_case_rating_rated_on')
        batch_op.drop_index('ix_case_rating_pending', postgresql_where=sa.text("verification = 'pending'"), sqlite_where=sa.text("verification = 'pending'"))

    op.drop_table('case_rating')
    op.drop_table('complaint_counter')
