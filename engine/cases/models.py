from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

# The columns the case register searches by any part (engine/register.py).
SEARCHED_COLUMNS = ("number", "applicant_name", "applicant_phone", "applicant_id_number")


class Case(Base):
    """One application (办件), kept in step with its workflow by every engine action."""

    __tablename__ = "service_case"
    __table_args__ = (
        Index("ix_case_next_timer_at", "next_timer_at"),
        Index("ix_case_open_by_department", "closed_at", "department_code"),
        Index("ix_case_deadline_check_at", "deadline_check_at"),
        # The board counts open cases by department and deadline state from this index alone.
        Index("ix_case_open_deadline", "department_code", "deadline_state",
              postgresql_where=text("closed_at IS NULL"), sqlite_where=text("closed_at IS NULL")),
        # The board's list of red and yellow cases, in order, without sorting them all.
        Index("ix_case_open_flagged", "deadline_state", "due_date",
              postgresql_where=text("closed_at IS NULL"), sqlite_where=text("closed_at IS NULL")),
        # The board's counts of open cases by department and 容缺 commitment flag.
        Index("ix_case_open_commitment", "department_code", "commitment_state",
              postgresql_where=text("closed_at IS NULL"), sqlite_where=text("closed_at IS NULL")),
        # The board narrowed to a department (its cases' ids in order) or to a person (their open cases'
        # departments and deadline states), without reading the cases' rows.
        Index("ix_case_department_id", "department_code", "id"),
        Index("ix_case_open_id", "id", "department_code", "deadline_state",
              postgresql_where=text("closed_at IS NULL"), sqlite_where=text("closed_at IS NULL")),
        Index("ix_case_status", "status"),
        # The board's daily charts and the statistics read a window of days from these indexes alone
        # (index-only scans): every column the figures count is in the index after the date.
        Index("ix_case_received_figures", "received_on", "department_code"),
        Index("ix_case_accepted_figures", "accepted_on", "department_code", "case_type", "decided_at"),
        Index("ix_case_decided_figures", "decided_at", "department_code", "due_date"),
        # The statistics' 一次性告知 of a period, and the undecided cases whose due day has passed (超期).
        Index("ix_case_notice_issued_at", "notice_issued_at"),
        Index("ix_case_undecided_due", "due_date", postgresql_where=text("decided_at IS NULL AND closed_at IS NULL"),
              sqlite_where=text("decided_at IS NULL AND closed_at IS NULL")),
        # The case register (办件台账): newest first, for everyone, a department, or a window's clerks.
        Index("ix_case_received_at", "received_at", "id"),
        Index("ix_case_department_received_at", "department_code", "received_at"),
        Index("ix_case_registered_by_received_at", "created_by_id", "received_at"),
        # The register's search by any part of a name, phone, ID or case number: trigram indexes on
        # PostgreSQL (pg_trgm, migration 0018); SQLite scans with LIKE and gets plain indexes here.
        *(Index(f"ix_case_{column}_trgm", column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
          for column in SEARCHED_COLUMNS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("service_item.code"), index=True)
    # The catalogue version of the item the case started with (NULL: registered before versions).
    item_version: Mapped[int | None] = mapped_column(Integer)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    case_type: Mapped[str] = mapped_column(String(10))
    promised_limit_days: Mapped[int] = mapped_column(Integer)

    applicant_kind: Mapped[str] = mapped_column(String(12))
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_id_type: Mapped[str] = mapped_column(String(30))
    applicant_id_number: Mapped[str] = mapped_column(String(30))
    applicant_phone: Mapped[str] = mapped_column(String(20))
    applicant_address: Mapped[str] = mapped_column(String(200), default="")
    applicant_contact: Mapped[str] = mapped_column(String(50), default="")
    # Where the applicant's e-mail notifications go (engine/outbox/); empty: none by e-mail.
    applicant_email: Mapped[str] = mapped_column(String(120), default="")
    # The provincial platform's id of the online application this case was registered from: every
    # event of the case carries it (docs/events.md), so it lives on the row the events are read from.
    platform_application_id: Mapped[str | None] = mapped_column(String(64))

    status: Mapped[str] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_on: Mapped[date] = mapped_column(Date)
    notice_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_count: Mapped[int] = mapped_column(Integer, default=0)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    deemed_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(10))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_method: Mapped[str | None] = mapped_column(String(10))
    rating: Mapped[str | None] = mapped_column(String(10))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 办件警示: normal / yellow / red, since when, when the sweep must look again.
    deadline_state: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")
    deadline_state_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_days_charged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The clock (第45条, 第42条): stopped since a day, working days stopped so far, days extended.
    suspended_since: Mapped[date | None] = mapped_column(Date)
    suspended_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extended_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # 容缺受理: the earliest supply date still owed, and its warning state (normal / yellow / red).
    commitment_due: Mapped[date | None] = mapped_column(Date)
    commitment_state: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class CaseCounter(Base):
    """The last case number issued on a day; incremented atomically."""

    __tablename__ = "case_counter"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class IdempotencyKey(Base):
    """A registration's ``Idempotency-Key``: a retried request gets the case its first try made.

    Written in the case's own transaction: first the key (so a concurrent retry waits on it),
    then, once the case row exists, its id; a key without a case never commits."""

    __tablename__ = "idempotency_key"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
