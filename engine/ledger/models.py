from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

CATEGORIES = ("思想品德", "业务技能", "办事效率", "服务态度", "遵章守纪", "工作形象", "奖励")
PER_OCCURRENCE, PER_WORKING_DAY = "occurrence", "working_day"
UNITS = (PER_OCCURRENCE, PER_WORKING_DAY)
# Entry states: an appealed entry still counts until the supervisor cancels it.
ACTIVE, APPEALED, CANCELLED = "active", "appealed", "cancelled"
# The trigger keys through which the engine records entries by itself.
TRIGGERS = ("case_overdue", "deemed_acceptance", "verified_complaint", "verified_bad_rating",
            "attendance_late_minor", "attendance_late", "attendance_late_major", "attendance_absent_half_day",
            "leave_without_cover")


class LedgerRule(Base):
    """One scoring rule: negative points deduct, positive points add."""

    __tablename__ = "ledger_rule"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(10))
    points: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    unit: Mapped[str] = mapped_column(String(12))
    veto: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger: Mapped[str | None] = mapped_column(String(30), unique=True)
    source: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LedgerRuleSet(Base):
    """One loaded rule catalogue (考核规则 version N): the rules as loaded, who loaded them and when."""

    __tablename__ = "ledger_rule_set"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules: Mapped[list] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    loaded_by: Mapped[str] = mapped_column(String(50))


class LedgerEntry(Base):
    """One recorded violation or merit of one staff member.

    ``violation_key`` makes automatic entries exactly-once: the same violation always
    produces the same key, and the unique index refuses the second insert.
    """

    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_ledger_entry_staff_day", "staff_id", "occurred_on"),
        Index("ix_ledger_entry_day", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    rule_code: Mapped[str] = mapped_column(ForeignKey("ledger_rule.code"))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    occurred_on: Mapped[date] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id", ondelete="SET NULL"), index=True)
    evidence: Mapped[str] = mapped_column(Text)
    violation_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default=ACTIVE)
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
