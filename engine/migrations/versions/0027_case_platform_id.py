"""the platform's application id on the case it was registered from

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 07:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('service_case', sa.Column('platform_application_id', sa.String(length=64), nullable=True))
    op.execute("UPDATE service_case SET platform_application_id = (SELECT p.platform_application_id"
               " FROM pre_application p WHERE p.case_id = service_case.id)"
               " WHERE id IN (SELECT case_id FROM pre_application WHERE case_id IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table('service_case') as batch:
        batch.drop_column('platform_application_id')
