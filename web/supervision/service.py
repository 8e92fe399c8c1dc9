"""What the supervision pages and API both do: ratings and their verification, satisfaction
rates, rectifications, complaints (all through ``CaseEngine.supervision``)."""

from sqlalchemy import select

from engine import permissions
from engine.actor import Actor
from engine.catalogue.models import Department
from engine.errors import InvalidInput
from engine.roles import CASE_WORKERS
from engine.staff.models import Staff
from web.access import case_engine

RATING_FIELDS = ("verdict", "reason", "not_real_kind", "responsible_staff_id")
COMPLAINT_FIELDS = ("channel", "complainant_name", "complainant_phone", "target_staff_id", "target_window",
                    "target_department_code", "case_number", "content", "complex")


def supervising(actor: Actor) -> bool:
    return permissions.supervises(actor)


def this_month() -> str:
    return case_engine().clock.today().strftime("%Y-%m")


def ratings(actor: Actor, state: str, period: str | None = None):
    return case_engine().supervision.ratings(actor, state, period)


def rating(actor: Actor, number):
    return case_engine().supervision.rating(actor, number)


def handlers(numbers: list[str]) -> dict:
    return case_engine().supervision.handlers(numbers)


def verify_rating(actor: Actor, number, fields: dict):
    return case_engine().supervision.verify_rating(actor, number, **fields)


def satisfaction(actor: Actor, period: str):
    return case_engine().supervision.satisfaction(actor, period)


def rectifications(actor: Actor, state: str):
    return case_engine().supervision.rectifications(actor, state)


def check_case_department(actor: Actor, number) -> None:
    case_engine().supervision.check_case_department(actor, number)


def close_rectification(actor: Actor, number, feedback):
    return case_engine().supervision.close_rectification(actor, number, feedback)


def complaints(actor: Actor, state: str):
    return case_engine().supervision.complaints(actor, state)


def overdue_complaints(actor: Actor):
    return case_engine().supervision.overdue_complaints(actor)


def complaint(actor: Actor, number):
    return case_engine().supervision.complaint(actor, number)


def register_complaint(actor: Actor, fields: dict):
    return case_engine().supervision.register_complaint(actor, **fields)


def reply_complaint(actor: Actor, number, reply):
    return case_engine().supervision.reply_complaint(actor, number, reply)


def verify_complaint(actor: Actor, number, fields: dict):
    return case_engine().supervision.verify_complaint(actor, number, **fields)


def complaint_choices() -> dict:
    """Whom a complaint may name: scored staff (with their departments) and the departments."""
    with case_engine().session() as session:
        staff = list(session.scalars(select(Staff).where(Staff.active.is_(True), Staff.role.in_(CASE_WORKERS))
                                     .order_by(Staff.department_code.nulls_first(), Staff.id)))
        departments = dict(session.execute(select(Department.code, Department.name).order_by(Department.code)).all())
    return {"staff": staff, "departments": departments}


def form_fields(form, names: tuple) -> dict:
    """A page form's fields for the engine: blanks as None, ids as numbers (else as typed, so
    the engine names the field), checkboxes as booleans."""
    fields = {}
    for name in names:
        value = form.get(name, "")
        if name == "complex":
            fields[name] = value in ("on", "true", "1")
        elif not value.strip():
            fields[name] = None
        else:
            fields[name] = int(value) if name.endswith("_id") and value.isdigit() else value
    return fields


def period_from(values) -> str:
    period = values.get("period") or this_month()
    if len(period) > 10:
        raise InvalidInput("期间须形如 2026-11、2026-Q4 或 2026 (period must be like 2026-11, 2026-Q4 or 2026)",
                           field="period")
    return period


def _contest_row(contest, number: str, rating: str) -> dict:
    return {"case_number": number, "rating": rating, "department_code": contest.department_code,
            "kind": contest.kind, "reasons": contest.reasons, "state": contest.state, "filed_at": contest.filed_at,
            "decided_at": contest.decided_at, "decision_reason": contest.decision_reason}


def contests(actor: Actor, state: str) -> list[dict]:
    return [_contest_row(*line) for line in case_engine().supervision.contests(actor, state)]


def file_contest(actor: Actor, number, fields: dict) -> dict:
    case_engine().supervision.file_contest(actor, number, **fields)
    return _one_contest(actor, number)


def decide_contest(actor: Actor, number, fields: dict) -> dict:
    case_engine().supervision.decide_contest(actor, number, **fields)
    return _one_contest(actor, number)


def _one_contest(actor: Actor, number: str) -> dict:
    return next(row for row in contests(actor, "all") if row["case_number"] == number)


def contestable(actor: Actor):
    return case_engine().supervision.contestable(actor)
