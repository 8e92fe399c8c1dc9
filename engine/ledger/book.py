"""The scoring ledger's actions, each one transaction with its audit entry."""

from dataclasses import dataclass

from sqlalchemy import select

from engine.audit import service as audit
from engine.cases.models import Case
from engine.catalogue.models import Department
from engine.errors import Forbidden
from engine.ledger import service
from engine.ledger.export import workbook
from engine.ledger.models import CANCELLED, LedgerEntry, LedgerRule
from engine.ledger.rules import load_rules
from engine.ledger.scores import Period, ScoredEntry, ScoreRow, ScoringPolicy, parse_period, score_period
from engine.staff.models import ADMIN, APPROVER, CHIEF, CLERK, SUPERVISOR, Staff
from engine.staff.service import SYSTEM, Actor

# Seconded window and back-office staff are scored; supervisors and administrators are not.
SCORED_ROLES = (CLERK, APPROVER, CHIEF)


@dataclass(frozen=True)
class ScoreSheet:
    period: Period
    rows: list[ScoreRow]
    staff: dict[int, Staff]


class LedgerBook:
    def __init__(self, engine, policy: ScoringPolicy | None = None):
        self.engine = engine
        self.policy = policy or ScoringPolicy()

    def load_rules(self, raw: dict) -> list[dict]:
        with self.engine.transaction() as session:
            rules = load_rules(session, raw)
            audit.record(session, actor=SYSTEM, action="ledger_rules", at=self.engine.clock.now(),
                         detail={"rules": len(rules)})
        return rules

    def record(self, actor: Actor, *, staff_id, rule_code, occurred_on, evidence, quantity=1) -> LedgerEntry:
        with self.engine.transaction() as session:
            entry = service.record_manual(session, actor, staff_id=staff_id, rule_code=rule_code,
                                          occurred_on=occurred_on, evidence=evidence, quantity=quantity,
                                          today=self.engine.clock.today(), now=self.engine.clock.now())
            self._audit(session, actor, "ledger_record", entry)
        return entry

    def appeal(self, actor: Actor, entry_id, reason) -> LedgerEntry:
        with self.engine.transaction() as session:
            entry = service.appeal(session, actor, entry_id, reason, self.engine.clock.now())
            self._audit(session, actor, "ledger_appeal", entry)
        return entry

    def decide_appeal(self, actor: Actor, entry_id, decision, reason) -> LedgerEntry:
        with self.engine.transaction() as session:
            entry = service.decide_appeal(session, actor, entry_id, decision, reason, self.engine.clock.now())
            self._audit(session, actor, "ledger_decide", entry)
        return entry

    def _audit(self, session, actor: Actor, action: str, entry: LedgerEntry) -> None:
        session.flush()
        audit.record(session, actor=actor, action=action, at=self.engine.clock.now(), case_id=entry.case_id,
                     detail={"entry": entry.id, "staff_id": entry.staff_id, "rule": entry.rule_code,
                             "points": str(entry.points), "state": entry.state})

    def entries(self, actor: Actor, period, *, staff_id=None, department_code=None, rule_code=None):
        """Supervisors see every entry; anyone else only their own."""
        period = parse_period(period)
        if actor.role not in (SUPERVISOR, ADMIN):
            if staff_id not in (None, actor.id) or department_code is not None:
                raise Forbidden("staff see only their own ledger", field="staff_id")
            staff_id = actor.id
        with self.engine.session() as session:
            return service.entries(session, first=period.first, last=period.last, staff_id=staff_id,
                                   department_code=department_code, rule_code=rule_code)

    def scores(self, period) -> ScoreSheet:
        period = parse_period(period)
        with self.engine.session() as session:
            staff = {row.id: row for row in session.scalars(
                select(Staff).where(Staff.active.is_(True), Staff.role.in_(SCORED_ROLES)).order_by(Staff.id))}
            counted = session.execute(
                select(LedgerEntry.staff_id, LedgerEntry.points, LedgerRule.veto)
                .join(LedgerRule, LedgerRule.code == LedgerEntry.rule_code)
                .where(LedgerEntry.occurred_on >= period.first, LedgerEntry.occurred_on <= period.last,
                       LedgerEntry.state != CANCELLED)).all()
        rows = score_period(list(staff), [ScoredEntry(*row) for row in counted], self.policy, period)
        return ScoreSheet(period, rows, staff)

    def export(self, actor: Actor, period, *, center_name: str) -> bytes:
        """The period's score sheet and ledger as .xlsx bytes (supervisors only)."""
        service.require_supervisor(actor)
        sheet = self.scores(period)
        with self.engine.session() as session:
            entries = service.entries(session, first=sheet.period.first, last=sheet.period.last)
            rules = {rule.code: (rule.name, rule.category) for rule in session.scalars(select(LedgerRule))}
            departments = dict(session.execute(select(Department.code, Department.name)).all())
            case_ids = {entry.case_id for entry in entries if entry.case_id is not None}
            numbers = dict(session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids))).all())
        return workbook(sheet, entries, center_name=center_name, rule_names=rules, department_names=departments,
                        case_numbers=numbers, policy=self.policy)

    def rules(self) -> list[LedgerRule]:
        with self.engine.session() as session:
            return list(session.scalars(select(LedgerRule).order_by(LedgerRule.code)))

