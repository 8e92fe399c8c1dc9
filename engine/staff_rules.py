"""The seeds' staff rules (seed 004 篇九) as warnings the supervisor sees and may let stand with a
reason: a replacement announced at least 15 working days ahead, at least a year at the window
before rotation, a chief representative for every department that seconds two or more people.

They warn rather than refuse: the center decides (a sudden illness is no one's fault), and the
supervisor's override is recorded with its reason and audited.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from engine.actor import Actor
from engine.audit import service as audit
from engine.catalogue.models import Department
from engine.context import EngineContext
from engine.errors import InvalidInput, NotFound
from engine.permissions import require_supervisor
from engine.posts.service import working_days_in
from engine.roles import CASE_WORKERS, CHIEF
from engine.staff.models import Staff, StaffRuleOverride
from engine.validation import text

NOTICE_DAYS = 15
RULES = {"replacement_notice": "调离须提前15个工作日告知", "rotation_minimum": "进驻满一年方可轮换",
         "chief_missing": "进驻两人以上的部门须设首席代表"}


@dataclass(frozen=True)
class StaffWarning:
    rule: str
    message: str
    username: str | None = None
    department_code: str | None = None
    override_reason: str | None = None

    @property
    def overridden(self) -> bool:
        return self.override_reason is not None


class StaffRules:
    def __init__(self, context: EngineContext):
        self.context = context

    def warnings(self, actor: Actor) -> list[StaffWarning]:
        require_supervisor(actor, "查看人员管理规定的警示", "see the staff rules' warnings")
        calendar = self.context.calendar.get()
        found = []
        with self.context.session() as session:
            people = list(session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.id)))
            for person in people:
                if person.leaves_on and person.leave_announced_on:
                    ahead = working_days_in(calendar, person.leave_announced_on + timedelta(days=1), person.leaves_on)
                    if ahead < NOTICE_DAYS:
                        found.append(StaffWarning("replacement_notice", f"{person.name} 调离日期 {person.leaves_on} "
                                                  f"仅提前 {ahead} 个工作日登记（应至少 {NOTICE_DAYS} 个）", person.username))
                if person.joined_on and person.leaves_on and person.leaves_on < _a_year_after(person.joined_on):
                    found.append(StaffWarning("rotation_minimum", f"{person.name} {person.joined_on} 进驻，"
                                              f"{person.leaves_on} 调离，不满一年", person.username))
            seconded = session.execute(select(Staff.department_code, func.count()).where(
                Staff.active.is_(True), Staff.department_code.is_not(None), Staff.role.in_(CASE_WORKERS))
                .group_by(Staff.department_code)).all()
            for code, count in seconded:
                if count >= 2 and not any(CHIEF in p.roles for p in people if p.department_code == code):
                    name = session.get(Department, code).name
                    found.append(StaffWarning("chief_missing", f"{name} 进驻 {count} 人，尚无首席代表",
                                              department_code=code))
            overrides = {(row.rule, row.staff_id, row.department_code): row.reason
                         for row in session.scalars(select(StaffRuleOverride).order_by(StaffRuleOverride.id))}
            ids = {person.username: person.id for person in people}
        return [StaffWarning(w.rule, w.message, w.username, w.department_code,
                             overrides.get((w.rule, ids.get(w.username), w.department_code))) for w in found]

    def override(self, actor: Actor, *, rule, username=None, department_code=None, reason) -> StaffWarning:
        """Let a warning stand, with the reason; it stays listed, marked as overridden."""
        require_supervisor(actor, "保留人员管理规定的警示", "override the staff rules' warnings")
        if rule not in RULES:
            raise InvalidInput(f"rule must be one of {', '.join(RULES)}", field="rule",
                               details={"rule": "enum", "limit": list(RULES)})
        reason = text(reason, "reason", max_length=300)
        warning = next((w for w in self.warnings(actor) if w.rule == rule and w.username == (username or None)
                        and w.department_code == (department_code or None)), None)
        if warning is None:
            raise NotFound("没有这条警示 (no such warning)", field="rule")
        now = self.context.clock.now()
        with self.context.transaction() as session:
            staff_id = session.scalar(select(Staff.id).where(Staff.username == username)) if username else None
            session.add(StaffRuleOverride(rule=rule, staff_id=staff_id, department_code=warning.department_code,
                                          reason=reason, recorded_by_id=actor.id, recorded_at=now))
            audit.record(session, actor=actor, action="staff_rule_override", at=now, detail={
                "rule": rule, "username": username, "department_code": warning.department_code, "reason": reason})
        return StaffWarning(warning.rule, warning.message, warning.username, warning.department_code, reason)


def _a_year_after(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
