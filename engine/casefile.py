"""The case file, as pages and the API read it: the catalogue to choose from, finding a case,
a clerk's own cases, its history, the records the back office and delivery left on it, and
the notices (engine.notices composes them). It reads the domain packages; who may read it is decided
in engine.permissions.

Nothing here changes a case.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from engine import masking, permissions
from engine.actor import SYSTEM, Actor
from engine.audit.models import AuditEntry
from engine.cases.models import Case
from engine.catalogue.models import Department, ServiceItem
from engine.clock import CHINA_TZ
from engine.clockstop import service as clockstop
from engine.clockstop.models import CaseExtension, ClockSuspension
from engine.commitments import service as commitments
from engine.commitments.models import Commitment
from engine.delivery import service as delivery
from engine.delivery.models import PostalParcel
from engine.errors import InvalidInput
from engine.joint import service as joint
from engine.joint.models import OBJECT, JointOpinion
from engine.staff.service import staff_names
from engine.tasks.models import HumanTask
from engine.workflow.properties import COUNTERSIGNED


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
        raise InvalidInput("请输入办件编号或申请人证件号码，5 至 32 个字符 "
                           "(enter a case number or an applicant's ID number, 5-32 characters)", field="q")
    return list(session.scalars(select(Case).where(or_(Case.number == query, Case.applicant_id_number == query))
                                .order_by(Case.id.desc()).limit(limit)))


def cases_registered_by(session: Session, staff_id: int, page: int, page_size: int) -> tuple[list[Case], int]:
    """One page of the cases a clerk registered, newest first, and how many there are in all."""
    mine = Case.created_by_id == staff_id
    total = session.scalar(select(func.count()).select_from(Case).where(mine))
    rows = session.scalars(select(Case).where(mine).order_by(Case.id.desc())
                           .offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def open_tasks(session: Session, case: Case) -> list[HumanTask]:
    """The case's open steps."""
    return list(session.scalars(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == "open")))


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


def history(session: Session, definition, case: Case, entries: list[AuditEntry], actor: Actor) -> list[HistoryEntry]:
    """``entries`` (the case's audit trail) with staff names and step names, as ``actor`` may
    read them: another department's countersigned form left out (engine.permissions.opinion_scope),
    ID and phone numbers masked (engine.masking). ``definition``: the case's process definition
    (it names the steps).
    """
    scope = permissions.opinion_scope(actor)
    people = staff_names(session, (entry.actor_id for entry in entries))
    hidden = hidden_countersign_tasks(session, case, scope)
    steps = {meta.bpmn_id: meta.name for meta in definition.user_tasks.values()}
    out = []
    for entry in entries:
        detail = dict(entry.detail or {})
        if entry.task_id in hidden:
            detail.pop("form", None)
        elif isinstance(detail.get("form"), dict):
            detail["form"] = masking.form_values(actor, detail["form"])
        step = detail.get("task") if isinstance(detail.get("task"), str) else None
        out.append(HistoryEntry(
            at=entry.at.astimezone(CHINA_TZ), actor=entry.actor,
            actor_name=people.get(entry.actor_id) or (SYSTEM.name if entry.actor == SYSTEM.username else entry.actor),
            action=entry.action, task_id=entry.task_id, task=step, task_name=steps.get(step),
            before_status=entry.before_status, after_status=entry.after_status, detail=detail))
    return out


# -- the back office's records of a case: opinions, clock stops, extensions, commitments, parcel --

@dataclass(frozen=True)
class Opinion:
    """A countersigned (会签) opinion: ``objects`` when the department objects."""

    department_code: str
    department_name: str
    part: str
    position: str
    opinion: str
    signed_by: str | None
    signed_at: datetime

    @property
    def objects(self) -> bool:
        return self.position == OBJECT


@dataclass(frozen=True)
class Suspension:
    kind: str
    reason: str
    department_code: str
    started_on: date
    started_by: str | None
    ended_on: date | None
    ended_by: str | None
    end_note: str | None
    working_days: int | None
    due_before: date | None
    due_after: date | None


@dataclass(frozen=True)
class Extension:
    department_code: str
    days: int
    reason: str
    requested_at: datetime
    requested_by: str | None
    decision: str | None
    decision_reason: str | None
    decided_at: datetime | None
    decided_by: str | None
    granted: bool
    due_before: date | None
    due_after: date | None


@dataclass(frozen=True)
class CommitmentLine:
    material_code: str
    material_name: str
    due_on: date
    state: str
    committed_at: datetime
    closed_on: date | None


@dataclass(frozen=True)
class Parcel:
    carrier: str
    waybill_number: str
    scope: str
    handed_by: str | None
    handed_to: str
    dispatched_on: date
    due_on: date
    delivered_on: date | None
    signed_by: str | None
    confirmed_by: str | None
    late: bool | None


@dataclass(frozen=True)
class BackOfficeRecords:
    opinions: list[Opinion]
    suspensions: list[Suspension]
    extensions: list[Extension]
    commitments: list[CommitmentLine]
    parcel: Parcel | None


def hidden_countersign_tasks(session: Session, case: Case, scope: str | None) -> set[str]:
    """Ids of the countersign tasks of other departments, which a co-reviewing department may not read."""
    if scope is None or scope == case.department_code:
        return set()
    return set(session.scalars(select(HumanTask.id).where(HumanTask.case_id == case.id,
                                                          HumanTask.milestone == COUNTERSIGNED,
                                                          HumanTask.department_code != scope)))


def back_office_records(session: Session, case: Case, scope: str | None) -> BackOfficeRecords:
    """Everything the back office and delivery recorded on ``case``; opinions as ``scope`` may read them."""
    has_opinions, has_suspensions, has_extensions, has_parcel, has_commitments = _kinds_recorded(session, case.id)
    opinion_rows = joint.opinions(session, case, scope) if has_opinions else []
    suspension_rows = clockstop.suspensions(session, case.id) if has_suspensions else []
    extension_rows = clockstop.extensions(session, case.id) if has_extensions else []
    parcel_row = delivery.parcel_of(session, case.id) if has_parcel else None
    names = staff_names(session, [row.signed_by_id for row in opinion_rows]
                        + [staff for row in suspension_rows for staff in (row.started_by_id, row.ended_by_id)]
                        + [staff for row in extension_rows for staff in (row.requested_by_id, row.decided_by_id)]
                        + ([parcel_row.handed_by_id, parcel_row.confirmed_by_id] if parcel_row else []))
    departments = dict(session.execute(select(Department.code, Department.name)).all()) if opinion_rows else {}
    parcel = None
    if parcel_row is not None:
        parcel = Parcel(carrier=parcel_row.carrier, waybill_number=parcel_row.waybill_number, scope=parcel_row.scope,
                        handed_by=names.get(parcel_row.handed_by_id), handed_to=parcel_row.handed_to,
                        dispatched_on=parcel_row.dispatched_on, due_on=parcel_row.due_on,
                        delivered_on=parcel_row.delivered_on, signed_by=parcel_row.signed_by,
                        confirmed_by=names.get(parcel_row.confirmed_by_id), late=parcel_row.late)
    return BackOfficeRecords(
        opinions=[Opinion(department_code=row.department_code, department_name=departments[row.department_code],
                          part=row.part, position=row.position, opinion=row.opinion,
                          signed_by=names.get(row.signed_by_id), signed_at=row.signed_at) for row in opinion_rows],
        suspensions=[Suspension(kind=row.kind, reason=row.reason, department_code=row.department_code,
                                started_on=row.started_on, started_by=names.get(row.started_by_id),
                                ended_on=row.ended_on, ended_by=names.get(row.ended_by_id), end_note=row.end_note,
                                working_days=row.working_days, due_before=row.due_before, due_after=row.due_after)
                     for row in suspension_rows],
        extensions=[Extension(department_code=row.department_code, days=row.days, reason=row.reason,
                              requested_at=row.requested_at, requested_by=names.get(row.requested_by_id),
                              decision=row.decision, decision_reason=row.decision_reason, decided_at=row.decided_at,
                              decided_by=names.get(row.decided_by_id), granted=row.granted,
                              due_before=row.due_before, due_after=row.due_after) for row in extension_rows],
        commitments=[CommitmentLine(material_code=row.material_code, material_name=row.material_name,
                                    due_on=row.due_on, state=row.state, committed_at=row.committed_at,
                                    closed_on=row.closed_on)
                     for row in (commitments.commitments_of(session, case.id) if has_commitments else [])],
        parcel=parcel)


def _kinds_recorded(session: Session, case_id: int) -> tuple[bool, bool, bool, bool, bool]:
    """Whether the case has opinions, clock stops, extensions, a parcel, commitments: one statement,
    where reading each kind costs one and most cases have none or few of them."""
    return tuple(session.execute(select(*(exists().where(model.case_id == case_id) for model in (
        JointOpinion, ClockSuspension, CaseExtension, PostalParcel, Commitment)))).one())
