"""The supervisor's overdue board (监督看板): counts and the list of yellow and red cases."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case
from engine.deadlines.states import RED, STATES, YELLOW
from engine.tasks.models import OPEN, HumanTask


def counts_by_department(session: Session) -> dict[str, dict[str, int]]:
    """Open cases per department and deadline state (one index-only scan)."""
    rows = session.execute(select(Case.department_code, Case.deadline_state, func.count())
                           .where(Case.closed_at.is_(None)).group_by(Case.department_code, Case.deadline_state))
    board: dict[str, dict[str, int]] = {}
    for department, state, count in rows:
        board.setdefault(department, dict.fromkeys(STATES, 0))[state] = count
    return board


def counts_by_assignee(session: Session) -> dict[int | None, dict[str, int]]:
    """Open tasks per person holding them (None: waiting in a queue) and deadline state."""
    rows = session.execute(select(HumanTask.assignee_id, HumanTask.deadline_state, func.count())
                           .where(HumanTask.state == OPEN).group_by(HumanTask.assignee_id, HumanTask.deadline_state))
    board: dict[int | None, dict[str, int]] = {}
    for assignee, state, count in rows:
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
                  limit: int = 200) -> list[FlaggedCase]:
    """Red cases first, most late first, then yellow ones by due date."""
    query = (select(Case.number, Case.department_code, Case.deadline_state, Case.due_date, Case.stage)
             .where(Case.closed_at.is_(None), Case.deadline_state.in_((RED, YELLOW)))
             .order_by(Case.deadline_state, Case.due_date).limit(limit))
    if department_code is not None:
        query = query.where(Case.department_code == department_code)
    return [FlaggedCase(number, department, state, due,
                        max(0, calendar.working_days_between(due, today)) if state == RED else 0, stage)
            for number, department, state, due, stage in session.execute(query)]
