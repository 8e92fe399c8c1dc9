"""a rectification of a window step belongs to the center's window (department_code NULL)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.alter_column('department_code', existing_type=sa.String(length=16), nullable=True)


def downgrade():
    # The window's rectifications go back to the department of their case.
    op.execute("UPDATE rectification SET department_code = (SELECT case_rating.department_code FROM case_rating "
               "WHERE case_rating.id = rectification.rating_id) WHERE department_code IS NULL")
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.alter_column('department_code', existing_type=sa.String(length=16), nullable=False)
