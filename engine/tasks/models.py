from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

OPEN, COMPLETED, CANCELLED = "open", "completed", "cancelled"


class HumanTask(Base):
    """A user task of a case's workflow, as inboxes see it (never by loading workflows)."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_queue", "state", "department_code", "role"),
        Index("ix_human_task_assignee", "state", "assignee_id"),
        # The board counts open tasks by person and deadline state, and finds a person's cases, from this index alone.
        Index("ix_human_task_open_deadline", "assignee_id", "deadline_state", "case_id",
              postgresql_where=text("state = 'open'"), sqlite_where=text("state = 'open'")),
        # The board's open tasks of one department's cases, in case id order (with ix_case_department_id).
        Index("ix_human_task_open_case", "case_id", "assignee_id", "deadline_state",
              postgresql_where=text("state = 'open'"), sqlite_where=text("state = 'open'")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    form: Mapped[str] = mapped_column(String(100))
    claim_required: Mapped[bool] = mapped_column(Boolean)
    # The step's milestone and clock properties (engine.workflow.properties), as the model declares them.
    milestone: Mapped[str | None] = mapped_column(String(30))
    clock: Mapped[str | None] = mapped_column(String(20))
    # An approval step (the model's ``approves``): the staff ids party to the request it decides,
    # written ",3,7," so a queue can leave it out in SQL; None for a step that approves nothing.
    request_parties: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_date: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    deadline_state: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")
    deadline_state_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def approves_request(self) -> bool:
        return self.request_parties is not None

    def is_party(self, staff_id: int | None) -> bool:
        """``staff_id`` made the request this step approves, or held the case when it was made."""
        return staff_id is not None and self.request_parties is not None and f",{staff_id}," in self.request_parties


def party_list(staff_ids) -> str:
    """The ``request_parties`` value of a set of staff ids."""
    return "," + "".join(f"{staff_id}," for staff_id in sorted(set(staff_ids) - {None}))
