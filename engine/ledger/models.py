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
# The trigger keys through which the engine records entries by itself. A rule may hold several
# (篇七's one lateness rule takes all three lateness triggers); a trigger belongs to one rule at most.
TRIGGERS = ("case_overdue", "deemed_acceptance", "verified_complaint", "verified_bad_rating",
            "co_review_late", "immediate_as_promised",
            "attendance_late_minor", "attendance_late", "attendance_late_major", "attendance_absent_half_day",
            "leave_without_cover", "enquiry_late_reply",
            # Not an entry: the annual score adds this rule's points for each 优秀 quarter (篇七 加分(八)).
            "quarter_excellent")
# Who a rule charges: a staff member, or the seconding department (seed 001 第十三条(二)).
STAFF_SCOPE, DEPARTMENT_SCOPE = "staff", "department"
SCOPES = (STAFF_SCOPE, DEPARTMENT_SCOPE)


class LedgerRule(Base):
    """One scoring rule: negative points deduct, positive points add."""

    __tablename__ = "ledger_rule"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(10))
    points: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    unit: Mapped[str] = mapped_column(String(12))
    veto: Mapped[bool] = mapped_column(Boolean, default=False)
    # Space-separated trigger keys (engine.ledger.rules checks each is on one rule only).
    trigger: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300))
    # Where the rule is written: seed file number, its part (篇四, 篇七) and item (二(二)3).
    seed: Mapped[str | None] = mapped_column(String(10))
    part: Mapped[str | None] = mapped_column(String(10))
    item: Mapped[str | None] = mapped_column(String(30))
    scope: Mapped[str] = mapped_column(String(12), default=STAFF_SCOPE, server_default=STAFF_SCOPE)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple((self.trigger or "").split())


class LedgerRuleSet(Base):
    """One loaded rule catalogue (考核规则 version N): the rules as loaded, who loaded them and when."""

    __tablename__ = "ledger_rule_set"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules: Mapped[list] = mapped_column(JSON)
    # The scheme's settings as loaded: name, category budgets, disqualifications, annual and window rules.
    scheme: Mapped[dict | None] = mapped_column(JSON)
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


class LedgerDepartmentEntry(Base):
    """A deduction against a seconding department itself (seed 001 第十三条(二): 擅自调换进驻工作人员的，
    扣减派驻部门的绩效考核分值), recorded by a supervisor with its evidence."""

    __tablename__ = "ledger_department_entry"
    __table_args__ = (Index("ix_ledger_department_entry_day", "department_code", "occurred_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    rule_code: Mapped[str] = mapped_column(ForeignKey("ledger_rule.code"))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    occurred_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
