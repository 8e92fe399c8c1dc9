"""human_task: the milestone and clock properties of its step, as the model declares them

Pages and clock actions read what a step means from its row instead of knowing step ids or
form names. Rows written before this revision get the values processes/one_window.bpmn
declared for its steps when this revision was written.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# The shipped model's declarations at this revision (rows of later models are written with theirs).
_MILESTONES = {
    "issue_notice": "notified", "window_pickup": "delivered", "rating": "rated", "collect_commitment": "commitment_closed",
    "release_result": "commitment_closed", "joint_countersign": "countersigned", "confirm_delivery": "delivered",
    "resume_clock": "resumed", "approve_extension": "extension_decided",
}
_STOPPABLE = ("review", "lead_decision", "joint_countersign", "forward_upward", "register_higher_result")


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('milestone', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('clock', sa.String(length=20), nullable=True))
    task = sa.table('human_task', sa.column('bpmn_id', sa.String), sa.column('milestone', sa.String),
                    sa.column('clock', sa.String))
    for bpmn_id, milestone in _MILESTONES.items():
        op.execute(task.update().where(task.c.bpmn_id == bpmn_id).values(milestone=milestone))
    op.execute(task.update().where(task.c.bpmn_id.in_(_STOPPABLE)).values(clock="stoppable"))


def downgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('clock')
        batch_op.drop_column('milestone')
