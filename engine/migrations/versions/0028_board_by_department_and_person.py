"""board: the department and person drill-downs from indexes alone

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

OPEN_TASK = sa.text("state = 'open'")
OPEN_CASE = sa.text("closed_at IS NULL")


def upgrade():
    # A person's open cases (the board narrowed to one person) come with the tasks' counts.
    op.drop_index("ix_human_task_open_deadline", table_name="human_task")
    op.create_index("ix_human_task_open_deadline", "human_task", ["assignee_id", "deadline_state", "case_id"],
                    postgresql_where=OPEN_TASK, sqlite_where=OPEN_TASK)
    # The open tasks of one department's cases: a merge join of two index-only scans, in case id order.
    op.create_index("ix_human_task_open_case", "human_task", ["case_id", "assignee_id", "deadline_state"],
                    postgresql_where=OPEN_TASK, sqlite_where=OPEN_TASK)
    op.create_index("ix_case_department_id", "service_case", ["department_code", "id"])
    # Those cases' departments and deadline states without reading the cases' rows.
    op.create_index("ix_case_open_id", "service_case", ["id", "department_code", "deadline_state"],
                    postgresql_where=OPEN_CASE, sqlite_where=OPEN_CASE)


def downgrade():
    op.drop_index("ix_case_open_id", table_name="service_case")
    op.drop_index("ix_case_department_id", table_name="service_case")
    op.drop_index("ix_human_task_open_case", table_name="human_task")
    op.drop_index("ix_human_task_open_deadline", table_name="human_task")
    op.create_index("ix_human_task_open_deadline", "human_task", ["assignee_id", "deadline_state"],
                    postgresql_where=OPEN_TASK, sqlite_where=OPEN_TASK)
