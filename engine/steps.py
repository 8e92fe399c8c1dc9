"""What a finished BPMN step means for the case row and its records.

The model marks its steps with properties (``case_status``, ``milestone``, ``outcome``,
``document``, ``refusal``); this module records them: timestamps, the due date at acceptance,
the decision, the rating, the records of the back office and delivery (opinions, suspensions,
extensions, commitments, parcels), the decision document with its 送达回证, and the refusals
filed in the 否决备案 register. It never decides where the process goes next; the
BPMN does.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case
from engine.cases.service import compute_due
from engine.clockstop import service as clockstop
from engine.commitments import service as commitments
from engine.decisions import service as decisions
from engine.delivery import service as delivery
from engine.joint import service as joint
from engine.workflow.properties import properties_of


@dataclass
class Step:
    """One engine step: where its effects are written and by whom."""

    session: Session
    case: Case
    now: datetime
    today: date
    calendar: WorkCalendar
    actor_id: int | None


def _accepted(step: Step, task) -> None:
    case, data = step.case, task.data
    case.accepted_at = step.now
    case.accepted_on = date.fromisoformat(data["accepted_on"])
    case.deemed_accepted = bool(data.get("deemed_accepted"))
    due = compute_due(step.calendar, case)
    case.due_date, case.due_provisional = due.day, due.provisional
    commitments.record(step.session, case, data.get("committed_materials") or [], data["materials"], step.actor_id,
                       step.now)


def _notified(step: Step, task) -> None:
    step.case.notice_issued_at = step.now
    step.case.notice_count = (step.case.notice_count or 0) + 1


def _decided(step: Step, task) -> None:
    step.case.decided_at = step.now
    step.case.decision = task.data.get("decision")


def _delivered(step: Step, task) -> None:
    step.case.delivered_at = step.now
    step.case.delivery_method = task.data.get("delivery_method")
    if step.case.delivery_method == "post":
        parcel = delivery.confirm(step.session, step.case, task.data, step.actor_id, step.now, step.today)
        facts = {"delivered_on": parcel.delivered_on, "recipient_name": parcel.signed_by, "recipient_role": "签收人",
                 "note": f"{parcel.carrier} {parcel.waybill_number}"}
    else:
        facts = {"delivered_on": step.today, "recipient_name": task.data.get("recipient_name") or "",
                 "recipient_role": task.data.get("recipient_role") or "", "note": None}
    decisions.record_delivery(step.session, step.case, method=step.case.delivery_method or "pickup", **facts,
                              actor_id=step.actor_id, now=step.now)


def _rated(step: Step, task) -> None:
    step.case.rating = task.data.get("rating")


def _countersigned(step: Step, task) -> None:
    joint.record_opinion(step.session, step.case, str(task.id), task.data["joint_opinion"], step.actor_id, step.now)


def _suspended(step: Step, task) -> None:
    clockstop.start_suspension(step.session, step.case, task.data["suspension"], step.actor_id, step.now, step.today)


def _resumed(step: Step, task) -> None:
    note = task.data.get("resume_note") or task.data.get("opinion") or ""
    row = clockstop.end_suspension(step.session, step.case, note, step.actor_id, step.now, step.today, step.calendar)
    row.due_after = _refresh_due(step)


def _extension_decided(step: Step, task) -> None:
    clockstop.decide_extension(step.session, step.case, task.data["extension_decision"],
                               task.data["extension_decision_reason"], step.actor_id, step.now, step.today)


def _extended(step: Step, task) -> None:
    row = clockstop.grant_extension(step.session, step.case, int(task.data["extended_by_days"]))
    row.due_after = _refresh_due(step)


def _commitment_closed(step: Step, task) -> None:
    commitments.close(step.session, step.case, task.data, step.actor_id, step.now, step.today)


def _dispatched(step: Step, task) -> None:
    delivery.dispatch(step.session, step.case, task.data, step.actor_id, step.now, step.today)


def _refresh_due(step: Step) -> date | None:
    if step.case.accepted_on is None:
        return None
    due = compute_due(step.calendar, step.case)
    step.case.due_date, step.case.due_provisional = due.day, due.provisional
    return due.day


MILESTONE_EFFECTS = {
    "accepted": _accepted,
    "notified": _notified,
    "decided": _decided,
    "delivered": _delivered,
    "rated": _rated,
    "countersigned": _countersigned,
    "suspended": _suspended,
    "resumed": _resumed,
    "extension_decided": _extension_decided,
    "extended": _extended,
    "commitment_closed": _commitment_closed,
    "dispatched": _dispatched,
}


def apply_completed_tasks(step: Step, tasks: list) -> list:
    """Record what the completed tasks mean; returns (ledger trigger, task) pairs they fired."""
    triggers = []
    for task in tasks:
        props = properties_of(task.task_spec)
        if "case_status" in props:
            step.case.status = props["case_status"]
        if "milestone" in props:
            MILESTONE_EFFECTS[props["milestone"]](step, task)
        document = None
        if "document" in props:
            document = decisions.issue(step.session, step.case, props["document"], task.data, step.actor_id,
                                       step.now, step.today)
        if "refusal" in props:
            decisions.file_refusal(step.session, step.case, props["refusal"], task.data, step.actor_id, step.now,
                                   step.today, document)
        if "outcome" in props:
            step.case.outcome = props["outcome"]
        if "ledger" in props:
            triggers.append((props["ledger"], task))
    return triggers


def close_if_finished(case: Case, finished: bool, now: datetime) -> None:
    if finished and case.closed_at is None:
        case.closed_at = now
        case.outcome = case.outcome or "completed"
