"""human_task.request_parties: who is party to the request an approval step decides

Nobody approves his own request (行政许可法 第42条, the center's rule): the requester and whoever
held the case when it was made may not claim or complete the step that decides it. Open
extension approvals written before this revision get their request's requester.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_parties', sa.Text(), nullable=True))
    # The shipped model's only approval step at this revision: the extension's (milestone extension_decided).
    op.execute("UPDATE human_task SET request_parties = ',' || COALESCE((SELECT CAST(e.requested_by_id AS VARCHAR(20)) "
               "|| ',' FROM case_extension e WHERE e.case_id = human_task.case_id AND e.decision IS NULL), '') "
               "WHERE milestone = 'extension_decided' AND state = 'open'")


def downgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('request_parties')
