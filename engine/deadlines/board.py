"""The supervisor's overdue board (监督看板): counts and the list of yellow and red cases.

Every query may be narrowed to one department and to the cases in which one person
holds an open task (``assignee_id``): the supervisor's drill-down from a row to its cases.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case
from engine.deadlines.states import RED, STATES, YELLOW
from engine.tasks.models import OPEN, HumanTask


def _cases_held_by(assignee_id: int):
    return select(HumanTask.case_id).where(HumanTask.state == OPEN, HumanTask.assignee_id == assignee_id)


def counts_by_department(session: Session, *, assignee_id: int | None = None) -> dict[str, dict[str, int]]:
    """Open cases per department and deadline state (one index-only scan when not narrowed)."""
    query = (select(Case.department_code, Case.deadline_state, func.count())
             .where(Case.closed_at.is_(None)).group_by(Case.department_code, Case.deadline_state))
    if assignee_id is not None:
        query = query.where(Case.id.in_(_cases_held_by(assignee_id)))
    board: dict[str, dict[str, int]] = {}
    for department, state, count in session.execute(query):
        board.setdefault(department, dict.fromkeys(STATES, 0))[state] = count
    return board


def counts_by_assignee(session: Session, *, assignee_id: int | None = None,
                       department_code: str | None = None) -> dict[int | None, dict[str, int]]:
    """Open tasks per person holding them (None: waiting in a queue) and deadline state.

    ``department_code``: only tasks of that department's cases (window tasks included).
    """
    query = (select(HumanTask.assignee_id, HumanTask.deadline_state, func.count())
             .where(HumanTask.state == OPEN).group_by(HumanTask.assignee_id, HumanTask.deadline_state))
    if assignee_id is not None:
        query = query.where(HumanTask.assignee_id == assignee_id)
    if department_code is not None:
        query = query.where(HumanTask.case_id.in_(select(Case.id).where(Case.department_code == department_code)))
    board: dict[int | None, dict[str, int]] = {}
    for assignee, state, count in session.execute(query):
        board.setdefault(assignee, dict.fromkeys(STATES, 0))[state] = count
    return board


@dataclass(frozen=True)
class FlaggedCase:
    number: str
    department_code: str
    state: str
    due_date: date
    working_days_late: int
    stage: str


def flagged_cases(session: Session, calendar: WorkCalendar, today: date, *, department_code: str | None = None,
                  state: str | None = None, assignee_id: int | None = None, limit: int = 200) -> list[FlaggedCase]:
    """Red cases first, most late first, then yellow ones by due date (``state``: only red or only yellow)."""
    flags = [flag for flag in (RED, YELLOW) if state in (None, flag)]
    query = (select(Case.number, Case.department_code, Case.deadline_state, Case.due_date, Case.stage)
             .where(Case.closed_at.is_(None), Case.deadline_state.in_(flags))
             .order_by(Case.deadline_state, Case.due_date).limit(limit))
    if department_code is not None:
        query = query.where(Case.department_code == department_code)
    if assignee_id is not None:
        query = query.where(Case.id.in_(_cases_held_by(assignee_id)))
    return [FlaggedCase(number, department, case_state, due,
                        max(0, calendar.working_days_between(due, today)) if case_state == RED else 0, stage)
            for number, department, case_state, due, stage in session.execute(query)]
