"""The board's figures, shared by the page and the API."""

from sqlalchemy import select

from engine.catalogue.models import Department
from engine.deadlines import board
from engine.deadlines.states import STATES
from engine.errors import InvalidInput
from engine.staff.models import Staff
from web.access import case_engine


def summary(department: str | None = None, state: str | None = None) -> dict:
    if state not in (None, "", *STATES):
        raise InvalidInput(f"state must be one of {', '.join(STATES)}", field="state")
    engine = case_engine()
    with engine.session() as session:
        departments = dict(session.execute(select(Department.code, Department.name)).all())
        if department and department not in departments:
            raise InvalidInput(f"no department '{department}'", field="department")
        by_department = board.counts_by_department(session)
        by_assignee = board.counts_by_assignee(session)
        names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(
            [staff_id for staff_id in by_assignee if staff_id is not None]))).all())
        flagged = board.flagged_cases(session, engine.calendar.get(), engine.clock.today(),
                                      department_code=department or None)
    return {
        "departments": [{"code": code, "name": departments.get(code, code), **counts}
                        for code, counts in sorted(by_department.items()) if not department or code == department],
        "people": [{"staff_id": staff_id, "name": names.get(staff_id, "（队列中，未认领）"), **counts}
                   for staff_id, counts in sorted(by_assignee.items(), key=lambda item: -item[1]["red"])],
        "flagged": [{"number": case.number, "department_code": case.department_code, "state": case.state,
                     "due_date": case.due_date.isoformat(), "working_days_late": case.working_days_late,
                     "stage": case.stage} for case in flagged if not state or case.state == state],
    }
