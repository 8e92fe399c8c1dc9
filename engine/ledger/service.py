"""Ledger entries: automatic ones exactly once, manual ones by supervisors, appeals (复核)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalogue.models import Department
from engine.db import per_dialect
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.ledger.models import (
    ACTIVE,
    APPEALED,
    CANCELLED,
    DEPARTMENT_SCOPE,
    LedgerDepartmentEntry,
    LedgerEntry,
    LedgerRule,
)
from engine.permissions import require_supervisor
from engine.staff.models import Staff
from engine.validation import is_id, text

MAX_QUANTITY = 10
# The trigger of the rule the annual score adds per 优秀 quarter (not an entry).
QUARTER_EXCELLENT = "quarter_excellent"
# Entries older than this are not recorded by hand: the period they belong to is closed.
MAX_BACKDATE_DAYS = 366

_ENTRIES = LedgerEntry.__table__
# The unique violation key turns a second insert of the same violation into nothing.
_INSERT_ONCE = per_dialect(lambda insert: insert(_ENTRIES).on_conflict_do_nothing(
    index_elements=[_ENTRIES.c.violation_key]))


def rule_for_trigger(session: Session, trigger: str) -> LedgerRule | None:
    """The active rule holding ``trigger`` (a rule's column lists its triggers space-separated)."""
    candidates = session.scalars(select(LedgerRule).where(LedgerRule.trigger.contains(trigger),
                                                          LedgerRule.active.is_(True)))
    return next((rule for rule in candidates if trigger in rule.triggers), None)


def automatic_row(*, staff_id: int, violation_key: str, occurred_on: date, case_id: int | None, evidence: str,
                  now: datetime) -> dict:
    """One violation found by the engine, ready for :func:`record_automatic_rows`."""
    return {"staff_id": staff_id, "occurred_on": occurred_on, "case_id": case_id, "evidence": evidence,
            "violation_key": violation_key, "recorded_by_id": None, "recorded_at": now, "state": ACTIVE,
            "version": 1}


def record_automatic_rows(session: Session, trigger: str, rows: list[dict]) -> None:
    """Record violations found by the engine, each exactly once (a repeat is silently nothing).

    A trigger with no active rule is not scored at this center: nothing is recorded.
    """
    rule = rule_for_trigger(session, trigger)
    if rule is None or not rows:
        return
    connection = session.connection()
    connection.execute(_INSERT_ONCE[connection.dialect.name],
                       [{**row, "rule_code": rule.code, "points": rule.points} for row in rows])


def record_manual(session: Session, actor: Actor, *, staff_id, rule_code, occurred_on, evidence, quantity=1,
                  today: date, now: datetime) -> LedgerEntry:
    """A supervisor's entry (attendance, conduct, commendation) with its evidence."""
    require_supervisor(actor, "记录考核台账", "keep the scoring ledger")
    if not is_id(staff_id):
        raise InvalidInput("人员编号不正确 (staff_id must be a staff id)", field="staff_id")
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise NotFound(f"未找到在岗人员 {staff_id} (no active staff member {staff_id})", field="staff_id")
    rule = session.get(LedgerRule, rule_code) if isinstance(rule_code, str) else None
    if rule is None or not rule.active:
        raise NotFound(f"未找到有效的考核规则 '{rule_code}' (no active rule '{rule_code}')", field="rule_code")
    if rule.trigger is not None:
        raise InvalidInput(f"考核规则 {rule.code} 由系统自动记录 (rule {rule.code} is recorded by the engine itself)",
                           field="rule_code")
    if rule.scope == DEPARTMENT_SCOPE:
        raise InvalidInput(f"考核规则 {rule.code} 扣的是派出部门而非个人 (rule {rule.code} charges a seconding "
                           "department, not a person)", field="rule_code")
    _checked_day(occurred_on, today)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"数量须为 1 至 {MAX_QUANTITY} 的整数 (quantity must be a whole number from 1 to {MAX_QUANTITY})",
                           field="quantity")
    if rule.veto and quantity != 1:
        raise InvalidInput("一票否决只记录一次 (a veto is recorded once)", field="quantity")
    entry = LedgerEntry(staff_id=staff.id, rule_code=rule.code, points=rule.points * Decimal(quantity),
                        occurred_on=occurred_on, case_id=None, evidence=text(evidence, "evidence"),
                        violation_key=None, recorded_by_id=actor.id, recorded_at=now, state=ACTIVE)
    session.add(entry)
    session.flush()
    return entry


def _checked_day(occurred_on, today: date) -> date:
    if not isinstance(occurred_on, date) or isinstance(occurred_on, datetime):
        raise InvalidInput("occurred_on must be a date", field="occurred_on", details={"rule": "date"})
    if occurred_on > today or (today - occurred_on).days > MAX_BACKDATE_DAYS:
        raise InvalidInput(f"发生日期须在最近 {MAX_BACKDATE_DAYS} 天内，且不能晚于今天 "
                           f"(occurred_on must be within the last {MAX_BACKDATE_DAYS} days, not in the future)",
                           field="occurred_on")
    return occurred_on


def record_department(session: Session, actor: Actor, *, department_code, rule_code, occurred_on, evidence,
                      today: date, now: datetime) -> LedgerDepartmentEntry:
    """A supervisor's deduction against a seconding department (seed 001 第十三条(二)) by a department rule."""
    require_supervisor(actor, "记录考核台账", "keep the scoring ledger")
    department = session.get(Department, department_code) if isinstance(department_code, str) else None
    if department is None:
        raise NotFound(f"未找到部门 '{department_code}' (no department '{department_code}')", field="department")
    rule = session.get(LedgerRule, rule_code) if isinstance(rule_code, str) else None
    if rule is None or not rule.active:
        raise NotFound(f"未找到有效的考核规则 '{rule_code}' (no active rule '{rule_code}')", field="rule_code")
    if rule.scope != DEPARTMENT_SCOPE:
        raise InvalidInput(f"考核规则 {rule.code} 扣的是个人而非部门 (rule {rule.code} charges a person, "
                           "not a department)", field="rule_code")
    entry = LedgerDepartmentEntry(department_code=department.code, rule_code=rule.code, points=rule.points,
                                  occurred_on=_checked_day(occurred_on, today), evidence=text(evidence, "evidence"),
                                  recorded_by_id=actor.id, recorded_at=now)
    session.add(entry)
    session.flush()
    return entry


def department_entries(session: Session, first: date, last: date,
                       department_code: str | None = None) -> list[LedgerDepartmentEntry]:
    query = select(LedgerDepartmentEntry).where(LedgerDepartmentEntry.occurred_on >= first,
                                                LedgerDepartmentEntry.occurred_on <= last)
    if department_code is not None:
        query = query.where(LedgerDepartmentEntry.department_code == department_code)
    return list(session.scalars(query.order_by(LedgerDepartmentEntry.occurred_on, LedgerDepartmentEntry.id)))


def department_totals(session: Session, first: date, last: date) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for entry in department_entries(session, first, last):
        totals[entry.department_code] = totals.get(entry.department_code, Decimal(0)) + entry.points
    return totals


def _entry(session: Session, entry_id, *, lock: bool = True) -> LedgerEntry:
    if not is_id(entry_id):
        raise InvalidInput("台账记录编号不正确 (entry_id must be a ledger entry id)", field="entry_id")
    query = select(LedgerEntry).where(LedgerEntry.id == entry_id)
    entry = session.scalar(query.with_for_update() if lock else query)
    if entry is None:
        raise NotFound(f"未找到台账记录 {entry_id} (no ledger entry {entry_id})", field="entry_id")
    return entry


def appeal(session: Session, actor: Actor, entry_id, reason, now: datetime) -> LedgerEntry:
    """The staff member asks for a review (复核) of an entry about themselves."""
    entry = _entry(session, entry_id)
    if entry.staff_id != actor.id:
        raise Forbidden("只有被记录的工作人员本人可以申请复核 (only the staff member an entry is about may appeal it)",
                        field="entry_id")
    if entry.state != ACTIVE or entry.appealed_at is not None:
        raise Conflict(f"台账记录 {entry.id} 不能申请复核：{'已申请过复核' if entry.appealed_at else '已取消'} "
                       f"(entry {entry.id} cannot be appealed: it is {entry.state}"
                       f"{' and was appealed before' if entry.appealed_at else ''})", field="entry_id")
    entry.appeal_reason = text(reason, "reason")
    entry.appealed_at, entry.state = now, APPEALED
    return entry


def decide_appeal(session: Session, actor: Actor, entry_id, decision, reason, now: datetime) -> LedgerEntry:
    """The supervisor upholds the entry or cancels it; a cancelled entry stays, marked cancelled."""
    require_supervisor(actor, "记录考核台账", "keep the scoring ledger")
    if decision not in ("uphold", "cancel"):
        raise InvalidInput("decision must be 'uphold' or 'cancel'", field="decision",
                           details={"rule": "enum", "limit": ["uphold", "cancel"]})
    entry = _entry(session, entry_id)
    if entry.state != APPEALED:
        raise Conflict(f"台账记录 {entry.id} 没有待决定的复核申请 (entry {entry.id} has no open appeal; it is {entry.state})",
                       field="entry_id")
    entry.decision_reason = text(reason, "reason")
    entry.decided_by_id, entry.decided_at = actor.id, now
    entry.state = CANCELLED if decision == "cancel" else ACTIVE
    return entry


def entries(session: Session, *, first: date, last: date, staff_id: int | None = None,
            department_code: str | None = None, rule_code: str | None = None) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.occurred_on >= first, LedgerEntry.occurred_on <= last)
    if staff_id is not None:
        query = query.where(LedgerEntry.staff_id == staff_id)
    if department_code is not None:
        query = query.join(Staff, Staff.id == LedgerEntry.staff_id).where(Staff.department_code == department_code)
    if rule_code is not None:
        query = query.where(LedgerEntry.rule_code == rule_code)
    return list(session.scalars(query.order_by(LedgerEntry.occurred_on, LedgerEntry.id)))
