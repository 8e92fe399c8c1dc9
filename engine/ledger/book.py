"""The scoring ledger's actions, each one transaction with its audit entry."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.cases.models import Case
from engine.catalogue.models import Department
from engine.context import EngineContext
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.ledger import service
from engine.ledger.export import workbook
from engine.ledger.models import CANCELLED, LedgerEntry, LedgerRule
from engine.ledger.rules import active_scheme, load_rules
from engine.ledger.scores import (
    Disqualification,
    Period,
    ScoredEntry,
    ScoreRow,
    ScoreScheme,
    ScoringPolicy,
    parse_period,
    score_period,
    score_year,
)
from engine.permissions import require_supervisor, supervises
from engine.roles import CASE_WORKERS
from engine.staff.models import Staff
from engine.validation import is_id


@dataclass(frozen=True)
class EntryLine:
    """A ledger entry with the names a reader needs (staff, department, rule, case)."""

    entry: LedgerEntry
    staff_name: str
    department_code: str | None
    rule_name: str
    category: str
    case_number: str | None
    recorded_by: str | None
    decided_by: str | None


@dataclass(frozen=True)
class ScoreSheet:
    period: Period
    rows: list[ScoreRow]
    staff: dict[int, Staff]
    scheme: ScoreScheme


class LedgerBook:
    def __init__(self, context: EngineContext, policy: ScoringPolicy | None = None):
        self.context = context
        self.policy = policy or ScoringPolicy()

    def load_rules(self, raw: dict, actor: Actor = SYSTEM) -> list[dict]:
        with self.context.transaction() as session:
            rules = load_rules(session, raw, loaded_by=actor.username, now=self.context.clock.now())
            audit.record(session, actor=actor, action="ledger_rules", at=self.context.clock.now(),
                         detail={"rules": len(rules)})
        return rules

    def record(self, actor: Actor, *, staff_id, rule_code, occurred_on, evidence, quantity=1) -> LedgerEntry:
        with self.context.transaction() as session:
            entry = service.record_manual(session, actor, staff_id=staff_id, rule_code=rule_code,
                                          occurred_on=occurred_on, evidence=evidence, quantity=quantity,
                                          today=self.context.clock.today(), now=self.context.clock.now())
            self._audit(session, actor, "ledger_record", entry)
        return entry

    def record_department(self, actor: Actor, *, department_code, rule_code, occurred_on, evidence):
        """A deduction against a seconding department itself (seed 001 第十三条(二))."""
        with self.context.transaction() as session:
            entry = service.record_department(session, actor, department_code=department_code, rule_code=rule_code,
                                              occurred_on=occurred_on, evidence=evidence,
                                              today=self.context.clock.today(), now=self.context.clock.now())
            audit.record(session, actor=actor, action="ledger_department", at=self.context.clock.now(),
                         detail={"entry": entry.id, "department": entry.department_code, "rule": entry.rule_code,
                                 "points": str(entry.points)})
        return entry

    def appeal(self, actor: Actor, entry_id, reason) -> LedgerEntry:
        with self.context.transaction() as session:
            entry = service.appeal(session, actor, entry_id, reason, self.context.clock.now())
            self._audit(session, actor, "ledger_appeal", entry)
        return entry

    def decide_appeal(self, actor: Actor, entry_id, decision, reason) -> LedgerEntry:
        with self.context.transaction() as session:
            entry = service.decide_appeal(session, actor, entry_id, decision, reason, self.context.clock.now())
            self._audit(session, actor, "ledger_decide", entry)
        return entry

    def _audit(self, session, actor: Actor, action: str, entry: LedgerEntry) -> None:
        session.flush()
        audit.record(session, actor=actor, action=action, at=self.context.clock.now(), case_id=entry.case_id,
                     detail={"entry": entry.id, "staff_id": entry.staff_id, "rule": entry.rule_code,
                             "points": str(entry.points), "state": entry.state})

    def entries(self, actor: Actor, period, *, staff_id=None, department_code=None, rule_code=None) -> list[EntryLine]:
        """The period's entries, filtered; supervisors see every entry, anyone else only their own."""
        period = parse_period(period)
        if not supervises(actor):
            if staff_id not in (None, actor.id) or department_code is not None:
                raise Forbidden("工作人员只能查看本人的考核台账 (staff see only their own ledger)", field="staff_id")
            staff_id = actor.id
        with self.context.session() as session:
            _check_filters(session, staff_id, department_code, rule_code)
            found = service.entries(session, first=period.first, last=period.last, staff_id=staff_id,
                                    department_code=department_code, rule_code=rule_code)
            return _lines(session, found)

    def line(self, actor: Actor, entry_id: int) -> EntryLine:
        """One entry with its names (supervisors: any entry; anyone else: their own)."""
        with self.context.session() as session:
            entry = session.get(LedgerEntry, entry_id) if is_id(entry_id) else None
            if entry is None:
                raise NotFound(f"未找到台账记录 {entry_id} (no ledger entry {entry_id})", field="entry_id")
            if not supervises(actor) and entry.staff_id != actor.id:
                raise Forbidden("工作人员只能查看本人的考核台账 (staff see only their own ledger)", field="entry_id")
            return _lines(session, [entry])[0]

    def scores(self, period) -> ScoreSheet:
        """Every case worker's score (supervisors and administrators are not scored); a year from
        its quarters, by the active scheme's settings."""
        period = parse_period(period)
        with self.context.session() as session:
            staff = {row.id: row for row in session.scalars(
                select(Staff).where(Staff.active.is_(True), Staff.role.in_(CASE_WORKERS)).order_by(Staff.id))}
            counted = session.execute(
                select(LedgerEntry.staff_id, LedgerEntry.points, LedgerRule.veto, LedgerRule.category,
                       LedgerEntry.occurred_on, LedgerRule.code, LedgerRule.points)
                .join(LedgerRule, LedgerRule.code == LedgerEntry.rule_code)
                .where(LedgerEntry.occurred_on >= period.first, LedgerEntry.occurred_on <= period.last,
                       LedgerEntry.state != CANCELLED)).all()
            scheme = self.scheme(session)
        entries = [ScoredEntry(staff_id, points, veto, category, day, code,
                               int(points / rule_points) if rule_points else 1)
                   for staff_id, points, veto, category, day, code, rule_points in counted]
        score = score_year if period.months == 12 else score_period
        return ScoreSheet(period, score(list(staff), entries, self.policy, period, scheme), staff, scheme)

    @staticmethod
    def scheme(session) -> ScoreScheme:
        """The active rule file's scoring settings, with the 优秀-quarter bonus of its rule."""
        settings = active_scheme(session)
        bonus = service.rule_for_trigger(session, service.QUARTER_EXCELLENT)
        return ScoreScheme(
            name=settings["name"], budgets=settings["budgets"],
            disqualifications=tuple(Disqualification(rule["code"], rule["name"], tuple(rule["rules"]),
                                                     rule["at_least"], rule["per"])
                                    for rule in settings["disqualifications"]),
            routine_weight=settings["annual"]["routine_weight"],
            excellent_quarters=settings["annual"]["excellent_quarters"],
            failed_quarters=settings["annual"]["failed_quarters"],
            quarter_bonus=bonus.points if bonus is not None else Decimal(0))

    def export(self, actor: Actor, period, *, center_name: str) -> bytes:
        """The period's score sheet and ledger as .xlsx bytes (supervisors only)."""
        require_supervisor(actor, "记录考核台账", "keep the scoring ledger")
        sheet = self.scores(period)
        with self.context.session() as session:
            lines = _lines(session, service.entries(session, first=sheet.period.first, last=sheet.period.last))
            departments = dict(session.execute(select(Department.code, Department.name)).all())
        return workbook(sheet, lines, center_name=center_name, department_names=departments, policy=self.policy)

    def rules(self) -> list[LedgerRule]:
        with self.context.session() as session:
            return list(session.scalars(select(LedgerRule).order_by(LedgerRule.code)))



@dataclass(frozen=True)
class DepartmentLine:
    """A deduction against a department, with its rule's name and who recorded it."""

    entry: object  # LedgerDepartmentEntry
    rule_name: str
    recorded_by: str


def department_lines(session, department_code: str | None, first, last) -> list[DepartmentLine]:
    entries = service.department_entries(session, first, last, department_code)
    rules = {rule.code: rule.name for rule in session.scalars(select(LedgerRule))}
    people = dict(session.execute(select(Staff.id, Staff.name).where(
        Staff.id.in_({entry.recorded_by_id for entry in entries}))).all())
    return [DepartmentLine(entry, rules[entry.rule_code], people.get(entry.recorded_by_id, "")) for entry in entries]


def _check_filters(session, staff_id, department_code, rule_code) -> None:
    """Filters name things that exist: a typo is an error, not an empty ledger."""
    if staff_id is not None and (not is_id(staff_id) or session.get(Staff, staff_id) is None):
        raise InvalidInput(f"未找到人员 {staff_id} (no staff member {staff_id})", field="staff_id")
    if department_code is not None and session.get(Department, department_code) is None:
        raise InvalidInput(f"未找到部门 '{department_code}' (no department '{department_code}')", field="department")
    if rule_code is not None and session.get(LedgerRule, rule_code) is None:
        raise InvalidInput(f"未找到考核规则 '{rule_code}' (no rule '{rule_code}')", field="rule_code")


def _lines(session, entries: list[LedgerEntry]) -> list[EntryLine]:
    people = {entry.staff_id for entry in entries} | {entry.recorded_by_id for entry in entries} | {
        entry.decided_by_id for entry in entries}
    staff = {row.id: row for row in session.scalars(select(Staff).where(Staff.id.in_(people - {None})))}
    rules = {rule.code: rule for rule in session.scalars(select(LedgerRule))}
    case_ids = {entry.case_id for entry in entries if entry.case_id is not None}
    numbers = dict(session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids))).all())

    def name(staff_id):
        return staff[staff_id].name if staff_id in staff else None
    return [EntryLine(entry=entry, staff_name=name(entry.staff_id) or str(entry.staff_id),
                      department_code=staff[entry.staff_id].department_code if entry.staff_id in staff else None,
                      rule_name=rules[entry.rule_code].name, category=rules[entry.rule_code].category,
                      case_number=numbers.get(entry.case_id), recorded_by=name(entry.recorded_by_id),
                      decided_by=name(entry.decided_by_id))
            for entry in entries]
