"""The board's figures, charts, stopped clocks and postal deliveries, shared by the page and the API."""

from dataclasses import asdict

from flask_babel import gettext as _
from sqlalchemy import select

from engine.cases import stats
from engine.catalogue.models import Department
from engine.deadlines import board
from engine.deadlines.states import RED, YELLOW
from engine.errors import InvalidInput
from engine.roles import CASE_WORKERS
from engine.staff.models import Staff
from engine.validation import is_id
from web.access import case_engine

# Who can hold a task, and so can be chosen in the person filter.
FLAGGED_LIMIT = 200


def parse_staff_id(value: str | None) -> int | None:
    """A staff id from the query string (empty: no filter)."""
    if not value:
        return None
    if not value.strip().isdigit() or not is_id(int(value)):
        raise InvalidInput("经办人编号不正确 (staff_id must be a staff id)", field="staff_id")
    return int(value)


def parse_days(value: str | None) -> int:
    """The charts' window from the query string (empty: the default)."""
    if not value:
        return stats.DEFAULT_DAYS
    return stats.check_days(int(value) if value.strip().isdigit() else value)


def _departments(session, department: str | None) -> dict[str, str]:
    departments = dict(session.execute(select(Department.code, Department.name)).all())
    if department and department not in departments:
        raise InvalidInput(f"没有这个部门 (no department '{department}')", field="department")
    return departments


def _check_person(session, staff_id: int | None) -> None:
    if staff_id is not None and session.get(Staff, staff_id) is None:
        raise InvalidInput(f"没有这位工作人员 (no staff member with id {staff_id})", field="staff_id")


def _flag_row(case: board.FlaggedCase) -> dict:
    return {"number": case.number, "department_code": case.department_code, "flag": case.flag, "state": case.state,
            "due_date": case.due_date.isoformat(), "working_days_late": case.working_days_late, "stage": case.stage}


def summary(department: str | None = None, state: str | None = None, staff_id: int | None = None) -> dict:
    """Counts by department and person, and the red and yellow cases (time limits and 容缺 commitments alike),
    narrowed by the filters given."""
    if state not in (None, "", RED, YELLOW):
        raise InvalidInput(f"警示须为红牌或黄牌 (state must be {RED} or {YELLOW})", field="state")
    engine = case_engine()
    calendar, today = engine.calendar.get(), engine.clock.today()
    narrowing = {"department_code": department or None, "state": state or None, "assignee_id": staff_id}
    with engine.session() as session:
        departments = _departments(session, department)
        _check_person(session, staff_id)
        by_department = board.counts_by_department(session, assignee_id=staff_id)
        commitments = board.commitment_counts_by_department(session, assignee_id=staff_id)
        by_assignee = board.counts_by_assignee(session, assignee_id=staff_id, department_code=department or None)
        names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(
            [holder for holder in by_assignee if holder is not None]))).all())
        flagged = (board.flagged_cases(session, calendar, today, **narrowing)
                   + board.commitment_flags(session, calendar, today, **narrowing))
    # Red before yellow, then the oldest date first, whatever the flag is about.
    flagged.sort(key=lambda case: (case.state != RED, case.due_date, case.flag, case.number))
    return {
        "departments": [{"code": code, "name": departments.get(code, code), **counts,
                         "commitment_yellow": commitments.get(code, {}).get(YELLOW, 0),
                         "commitment_red": commitments.get(code, {}).get(RED, 0)}
                        for code, counts in sorted(by_department.items()) if not department or code == department],
        "people": [{"staff_id": holder, "name": names.get(holder, _("（队列中，未认领）")), **counts}
                   for holder, counts in sorted(by_assignee.items(), key=lambda item: -item[1]["red"])],
        "flagged": [_flag_row(case) for case in flagged[:FLAGGED_LIMIT]],
    }


def stopped_clocks(department: str | None = None, staff_id: int | None = None) -> dict:
    """The open cases whose clock stands still, with why and since when."""
    engine = case_engine()
    with engine.session() as session:
        _departments(session, department)
        _check_person(session, staff_id)
        stopped = board.stopped_clocks(session, engine.calendar.get(), engine.clock.today(),
                                       department_code=department or None, assignee_id=staff_id)
    return {"cases": [asdict(case) for case in stopped]}


def deliveries(days: int = stats.DEFAULT_DAYS, department: str | None = None) -> dict:
    """The 政务专递 service level of the parcels due in the last ``days`` days, and the late parcels."""
    engine = case_engine()
    today = engine.clock.today()
    first = board.period_start(today, stats.check_days(days))
    with engine.session() as session:
        _departments(session, department)
        tally = board.delivery_tally(session, today, first, department_code=department or None)
        late = board.late_deliveries(session, engine.calendar.get(), today, first, department_code=department or None)
    return {"first": first, "last": today, "department": department or None, "settled": tally.settled,
            "on_time": tally.on_time, "late": tally.late, "pending": tally.pending,
            "on_time_rate": _percent(tally.on_time_rate), "target": _percent(board.DELIVERY_TARGET),
            "parcels": [asdict(parcel) for parcel in late]}


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def _tally(figures: stats.Tally) -> dict:
    return {"received": figures.received, "decided": figures.decided,
            "decided_on_time": figures.decided_on_time, "on_time_rate": _percent(figures.on_time_rate),
            "accepted": figures.accepted, "on_site": figures.on_site, "on_site_rate": _percent(figures.on_site_rate)}


def charts(days: int = stats.DEFAULT_DAYS, department: str | None = None) -> dict:
    """Daily intake, on-time rate and on-site rate of the last ``days`` days (rates in percent, None: no cases)."""
    engine = case_engine()
    with engine.session() as session:
        _departments(session, department)
        figures = stats.daily_figures(session, engine.clock.today(), days, department or None)
    return {"first": figures.first, "last": figures.last, "department": figures.department_code,
            "on_site_target": _percent(stats.ON_SITE_TARGET), "on_site_aim": _percent(stats.ON_SITE_AIM),
            "days": [{"day": day.day, **_tally(day)} for day in figures.days], "total": _tally(figures.total)}


def filter_choices(only_department: str | None = None) -> dict:
    """The page's filter lists: every department (or the one a chief representative sees), and the
    staff who can hold a task."""
    with case_engine().session() as session:
        departments = session.execute(select(Department.code, Department.name).order_by(Department.code)).all()
        people = session.execute(select(Staff.id, Staff.name, Staff.department_code)
                                 .where(Staff.role.in_(CASE_WORKERS)).order_by(Staff.department_code.nulls_first(), Staff.id)).all()
    if only_department:
        departments = [row for row in departments if row[0] == only_department]
        people = [row for row in people if row[2] == only_department]
    return {"departments": [{"code": code, "name": name} for code, name in departments],
            "people": [{"staff_id": staff_id, "name": name, "department_code": code or ""}
                       for staff_id, name, code in people]}


def calendar_outlook():
    """From November: next year's schedule unknown, the open cases whose due dates are provisional."""
    return case_engine().center_admin.outlook()
