"""容缺受理 + 承诺制: checking a commitment when it is given, recording it, closing it.

A commitment may cover only materials the catalogue marks as acceptable on commitment
(the main materials must be complete), must be supplied by a date from tomorrow up to
the item's promised limit, and is refused to an applicant who broke one before.
"""

from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case
from engine.commitments.models import OPEN, RELEASED, SUPPLIED, Commitment
from engine.errors import Conflict, InvalidInput


def check(session: Session, case: Case, task_data: dict, form: dict, calendar: WorkCalendar, today: date) -> None:
    """Refuse a submitted ``committed_materials`` list that breaks a rule; field names the entry.

    Only a form that lists commitments is checked: earlier ones were checked when given.
    """
    committed = form.get("committed_materials") or []
    if not committed:
        return
    data = {**task_data, **form}
    materials = {m["code"]: m for m in data["materials"]}
    received = set(data.get("received_materials") or [])
    latest = calendar.add_working_days(today, max(case.promised_limit_days, 1)).day
    seen = set()
    for index, entry in enumerate(committed):
        field = f"committed_materials.{index}"
        material = materials.get(entry["code"])
        if material is None or not material["commitment_allowed"]:
            raise InvalidInput(f"材料 {entry['code']} 不能容缺受理：只有办事指南允许的材料才可容缺 "
                               f"({field}.code: material {entry['code']} may not be accepted on commitment; only "
                               "the materials the service guide allows may be)", field=f"{field}.code")
        if entry["code"] in received or entry["code"] in seen:
            raise InvalidInput(f"材料 {entry['code']} 已收取或已列入容缺 "
                               f"({field}.code: material {entry['code']} is already received or listed)",
                               field=f"{field}.code")
        seen.add(entry["code"])
        try:
            due_on = date.fromisoformat(entry["due_on"])
        except ValueError:
            raise InvalidInput(f"{field}.due_on: not a date", field=f"{field}.due_on",
                               details={"rule": "date"}) from None
        if due_on <= today:
            raise InvalidInput(f"承诺补齐日期须晚于今天 {today.isoformat()} "
                               f"({field}.due_on: the commitment date must be after today, {today.isoformat()})",
                               field=f"{field}.due_on")
        if due_on > latest:
            raise InvalidInput(f"承诺补齐日期不能超过承诺时限，最迟 {latest.isoformat()} "
                               f"({field}.due_on: the commitment date may not exceed the promised limit, "
                               f"latest {latest.isoformat()})", field=f"{field}.due_on")
    if broke_commitment_before(session, case.applicant_id_number, today):
        raise Conflict("申请人此前有未履行的承诺，不予容缺受理 "
                       "(the applicant broke an earlier commitment: acceptance on commitment is refused)",
                       field="committed_materials")


def broke_commitment_before(session: Session, id_number: str, today: date) -> bool:
    """A commitment released without the material, or still owed after its date."""
    broken = or_(Commitment.state == RELEASED, (Commitment.state == OPEN) & (Commitment.due_on < today))
    return bool(session.scalar(select(exists().where(Commitment.applicant_id_number == id_number, broken))))


def record(session: Session, case: Case, committed: list, materials: list, actor_id: int | None,
           now: datetime) -> None:
    names = {m["code"]: m["name"] for m in materials}
    rows = [Commitment(case_id=case.id, applicant_id_number=case.applicant_id_number, material_code=entry["code"],
                       material_name=names.get(entry["code"], entry["code"]), due_on=date.fromisoformat(entry["due_on"]),
                       committed_at=now, recorded_by_id=actor_id, state=OPEN) for entry in committed]
    session.add_all(rows)
    case.commitment_due = min((row.due_on for row in rows), default=None)


def close(session: Session, case: Case, data: dict, actor_id: int | None, now: datetime, today: date) -> None:
    """Close the case's open commitments as supplied, or released by the chief representative.

    A referral to the chief, or the chief withholding the result, leaves them open.
    """
    if data.get("release_decision") == "release":
        state = RELEASED
    elif data.get("commitment_outcome") == "supplied":
        state = SUPPLIED
    else:
        return
    for row in commitments_of(session, case.id):
        if row.state == OPEN:
            row.state, row.closed_at, row.closed_on, row.closed_by_id = state, now, today, actor_id
    case.commitment_due, case.commitment_state = None, "normal"


def commitments_of(session: Session, case_id: int) -> list[Commitment]:
    return list(session.scalars(select(Commitment).where(Commitment.case_id == case_id)
                                .order_by(Commitment.due_on, Commitment.id)))
