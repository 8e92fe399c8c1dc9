"""Reading cases for the window: the catalogue to choose from, finding a case, a clerk's
own cases, who may look at a case, and which written notice a case is owed.

Nothing here changes a case.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.audit.models import AuditEntry
from engine.cases.models import Case
from engine.catalogue.models import Department, ItemCoDepartment, ServiceItem
from engine.clock import CHINA_TZ
from engine.errors import Forbidden, InvalidInput
from engine.staff.models import APPROVER, CHIEF, Staff
from engine.staff.service import SYSTEM, Actor

ACCEPTANCE, ONE_TIME_NOTICE, REJECTION = "acceptance", "one_time_notice", "rejection"
NOTICE_KINDS = (ACCEPTANCE, ONE_TIME_NOTICE, REJECTION)


def catalogue(session: Session) -> list[tuple[Department, list[ServiceItem]]]:
    """Active service items grouped by department, departments and items in code order."""
    items = session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True))
                            .order_by(ServiceItem.department_code, ServiceItem.code)).all()
    groups: dict[str, tuple[Department, list[ServiceItem]]] = {}
    for item in items:
        groups.setdefault(item.department_code, (item.department, []))[1].append(item)
    return list(groups.values())


def item_names(session: Session) -> dict[str, str]:
    """Every item's name by code (inactive ones too: old cases still show theirs)."""
    return dict(session.execute(select(ServiceItem.code, ServiceItem.name)).all())


def find_cases(session: Session, query: str, limit: int) -> list[Case]:
    """Cases whose number or applicant ID number is ``query``, newest first."""
    query = (query or "").strip().upper()
    if not 5 <= len(query) <= 32:
        raise InvalidInput("enter a case number or an applicant's ID number (5-32 characters)", field="q")
    return list(session.scalars(select(Case).where(or_(Case.number == query, Case.applicant_id_number == query))
                                .order_by(Case.id.desc()).limit(limit)))


def cases_registered_by(session: Session, staff_id: int, page: int, page_size: int) -> tuple[list[Case], int]:
    """One page of the cases a clerk registered, newest first, and how many there are in all."""
    mine = Case.created_by_id == staff_id
    total = session.scalar(select(func.count()).select_from(Case).where(mine))
    rows = session.scalars(select(Case).where(mine).order_by(Case.id.desc())
                           .offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def check_may_view(session: Session, actor: Actor, case: Case) -> None:
    """The window, supervisors and admins see every case; the back office sees its own
    department's cases and those of items it co-reviews (联办件); a B post also those of the
    absent A posts it covers today (AB岗)."""
    departments = {actor.department_code} | {cover.department_code for cover in actor.covering}
    if actor.role not in (APPROVER, CHIEF) or case.department_code in departments:
        return
    co_reviewing = session.scalar(select(ItemCoDepartment.department_code).where(
        ItemCoDepartment.item_code == case.item_code, ItemCoDepartment.department_code.in_(departments - {None})))
    if co_reviewing is None:
        raise Forbidden(f"case {case.number} belongs to department {case.department_code}", field="case_number")


def staff_names(session: Session, ids) -> dict[int, str]:
    wanted = {staff_id for staff_id in ids if staff_id is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(wanted))).all())


@dataclass(frozen=True)
class HistoryEntry:
    """One audited action on a case, with the names a person reads (time in China time)."""

    at: datetime
    actor: str
    actor_name: str
    action: str
    task_id: str | None
    task: str | None  # BPMN id of the step acted on
    task_name: str | None
    before_status: str | None
    after_status: str | None
    detail: dict


def history(engine, case: Case, entries: list[AuditEntry]) -> list[HistoryEntry]:
    """``entries`` (the case's audit trail) with staff names and step names. ``engine``: the CaseEngine."""
    with engine.session() as session:
        definition = engine.specs.get(session, case.process_version_id)
        people = staff_names(session, (entry.actor_id for entry in entries))
    steps = {meta.bpmn_id: meta.name for meta in definition.user_tasks.values()}
    out = []
    for entry in entries:
        detail = dict(entry.detail or {})
        step = detail.get("task") if isinstance(detail.get("task"), str) else None
        out.append(HistoryEntry(
            at=entry.at.astimezone(CHINA_TZ), actor=entry.actor,
            actor_name=people.get(entry.actor_id) or (SYSTEM.name if entry.actor == SYSTEM.username else entry.actor),
            action=entry.action, task_id=entry.task_id, task=step, task_name=steps.get(step),
            before_status=entry.before_status, after_status=entry.after_status, detail=detail))
    return out


def notice_kind(case: Case, data: dict) -> str | None:
    """Which written notice the applicant is owed at the window (行政许可法 第32条).

    Not acceptable → 不予受理通知书; accepted (also when deemed accepted) → 受理通知书;
    the last completeness check found missing or defective materials → 一次性告知书.
    """
    if case.outcome == "not_accepted":
        return REJECTION
    if case.accepted_on is not None:
        return ACCEPTANCE
    if data.get("intake_outcome") == "notice":
        return ONE_TIME_NOTICE
    return None
