"""What a finished BPMN step means for the case row.

The model marks its steps with properties (``case_status``, ``milestone``, ``outcome``);
this module records them: timestamps, the due date at acceptance, the decision, the
rating. It never decides where the process goes next; the BPMN does.
"""

from datetime import date, datetime

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case
from engine.workflow.properties import properties_of


def compute_due(calendar: WorkCalendar, accepted_on: date, limit_days: int):
    """The promised limit counts from acceptance (after a correction: from that day)."""
    return calendar.add_working_days(accepted_on, limit_days)


def _accepted(case: Case, data: dict, now: datetime, calendar: WorkCalendar) -> None:
    case.accepted_at = now
    case.accepted_on = date.fromisoformat(data["accepted_on"])
    case.deemed_accepted = bool(data.get("deemed_accepted"))
    due = compute_due(calendar, case.accepted_on, case.promised_limit_days)
    case.due_date, case.due_provisional = due.day, due.provisional


def _notified(case: Case, data: dict, now: datetime, calendar: WorkCalendar) -> None:
    case.notice_issued_at = now
    case.notice_count = (case.notice_count or 0) + 1


def _decided(case: Case, data: dict, now: datetime, calendar: WorkCalendar) -> None:
    case.decided_at = now
    case.decision = data.get("decision")


def _delivered(case: Case, data: dict, now: datetime, calendar: WorkCalendar) -> None:
    case.delivered_at = now
    case.delivery_method = data.get("delivery_method")


def _rated(case: Case, data: dict, now: datetime, calendar: WorkCalendar) -> None:
    case.rating = data.get("rating")


MILESTONE_EFFECTS = {
    "accepted": _accepted,
    "notified": _notified,
    "decided": _decided,
    "delivered": _delivered,
    "rated": _rated,
}


def apply_completed_tasks(case: Case, tasks: list, now: datetime, calendar: WorkCalendar) -> list:
    """Record what the completed tasks mean; returns (ledger trigger, task) pairs they fired."""
    triggers = []
    for task in tasks:
        props = properties_of(task.task_spec)
        if "case_status" in props:
            case.status = props["case_status"]
        if "milestone" in props:
            MILESTONE_EFFECTS[props["milestone"]](case, task.data, now, calendar)
        if "outcome" in props:
            case.outcome = props["outcome"]
        if "ledger" in props:
            triggers.append((props["ledger"], task))
    return triggers


def close_if_finished(case: Case, finished: bool, now: datetime) -> None:
    if finished and case.closed_at is None:
        case.closed_at = now
        case.outcome = case.outcome or "completed"
