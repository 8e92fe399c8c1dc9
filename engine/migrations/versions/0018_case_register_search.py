"""case register: trigram search on names, phones, ID and case numbers; index-only figures

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-02 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

SEARCHED = ("number", "applicant_name", "applicant_phone", "applicant_id_number")
# The daily figures' single-column indexes give way to covering ones (engine/cases/stats.py).
FIGURES = {
    "ix_case_received_on": (("received_on",), "ix_case_received_figures", ("received_on", "department_code")),
    "ix_case_accepted_on": (("accepted_on",), "ix_case_accepted_figures",
                            ("accepted_on", "department_code", "case_type", "decided_at")),
    "ix_case_decided_at": (("decided_at",), "ix_case_decided_figures", ("decided_at", "department_code", "due_date")),
}
REGISTER = {
    "ix_case_received_at": ("received_at", "id"),
    "ix_case_department_received_at": ("department_code", "received_at"),
    "ix_case_registered_by_received_at": ("created_by_id", "received_at"),
}


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        if postgresql:
            op.create_index(f"ix_case_{column}_trgm", "service_case", [column], postgresql_using="gin",
                            postgresql_ops={column: "gin_trgm_ops"})
        else:
            op.create_index(f"ix_case_{column}_trgm", "service_case", [column])
    for old, (_old_columns, new, columns) in FIGURES.items():
        op.create_index(new, "service_case", list(columns))
        op.drop_index(old, table_name="service_case")
    for name, columns in REGISTER.items():
        op.create_index(name, "service_case", list(columns))
    op.create_index("ix_case_notice_issued_at", "service_case", ["notice_issued_at"])
    undecided = sa.text("decided_at IS NULL AND closed_at IS NULL")
    op.create_index("ix_case_undecided_due", "service_case", ["due_date"], postgresql_where=undecided,
                    sqlite_where=undecided)


def downgrade():
    op.drop_index("ix_case_undecided_due", table_name="service_case")
    op.drop_index("ix_case_notice_issued_at", table_name="service_case")
    for name in REGISTER:
        op.drop_index(name, table_name="service_case")
    for old, (old_columns, new, _columns) in FIGURES.items():
        op.create_index(old, "service_case", list(old_columns))
        op.drop_index(new, table_name="service_case")
    for column in SEARCHED:
        op.drop_index(f"ix_case_{column}_trgm", table_name="service_case")
    # The extension stays: other databases' objects on this server may use it.
