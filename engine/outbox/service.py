"""Writing the outbox: which facts of a step are events, what each event says, and to whom.

The one place that maps events to messages. It is called inside the step's transaction
(engine/casework.py for a case step, engine/actions.py for the deadline sweep), so an event
commits with its step or not at all. Every event goes to each subscribed system (a signed
webhook, docs/events.md); the applicant's and the staff's also to the configured channels.
"""

import string
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.clock import CHINA_TZ
from engine.outbox.channels import EMAIL, LOG, SMS, NotifyPolicy
from engine.outbox.models import APPLICANT, FAILED, PENDING, SENT, STAFF, SYSTEMS, OutboxDelivery, OutboxEvent

STATUS_CHANGED, CLOSED = "status_changed", "closed"
TASK_QUEUED, TASK_YELLOW, TASK_RED = "task_queued", "task_yellow", "task_red"
READY_FOR_PICKUP = "ready_for_pickup"
# An enquiry (咨询) was answered: the asker is told where to read it (engine/enquiry_book.py).
ENQUIRY_ANSWERED = "enquiry_answered"
# An enquiry is the department's to answer (asked online of it, or referred to it): its queue is told.
ENQUIRY_REFERRED = "enquiry_referred"
# An appointment (预约) booked or cancelled: told to the applicant, no case yet.
APPOINTMENT_BOOKED, APPOINTMENT_CANCELLED = "appointment_booked", "appointment_cancelled"
# The model's milestones (engine/workflow/properties.py) that the applicant is told of.
MILESTONE_EVENTS = {"notified": "notice_issued", "accepted": "accepted", "suspended": "clock_stopped",
                    "extended": "extended", "decided": "decided", "dispatched": "posted"}
TASK_STATE_EVENTS = {"yellow": TASK_YELLOW, "red": TASK_RED}

# {kind: (audience, message)}; a message is a str.format template over the event's facts
# (FACTS); ONEWINDOW_NOTIFY_TEMPLATE_<KIND> replaces one (engine/settings.py).
MESSAGES = {
    "notice_issued": (APPLICANT, "【{center}】您申请的{item_name}（办件号{case_number}）材料需补正，"
                                 "已出具一次性告知书，请按告知内容补齐后再来办理。"),
    "accepted": (APPLICANT, "【{center}】您申请的{item_name}（办件号{case_number}）已受理，承诺办结日期{due_date}。"),
    "clock_stopped": (APPLICANT, "【{center}】您的办件{case_number}因{reason}暂停计时，所需时间不计入办理期限。"),
    "extended": (APPLICANT, "【{center}】您的办件{case_number}办理期限已依法延长，新的办结日期{due_date}。"),
    "decided": (APPLICANT, "【{center}】您的办件{case_number}已作出决定：{decision}。"),
    READY_FOR_PICKUP: (APPLICANT, "【{center}】您的办件{case_number}办理结果已可领取，请携带身份证件到窗口领取。"),
    "posted": (APPLICANT, "【{center}】您的办件{case_number}办理结果已寄出。"),
    APPOINTMENT_BOOKED: (APPLICANT, "【{center}】您已预约{appointment_time}在{window_name}办理{item_name}，预约码"
                                    "{booking_code}。请携带身份证件按时到场；如需取消，请凭预约码和手机号办理。"),
    APPOINTMENT_CANCELLED: (APPLICANT, "【{center}】您{appointment_time}办理{item_name}的预约（预约码{booking_code}）已取消。"),
    TASK_QUEUED: (STAFF, "办件{case_number}有新的待办「{task_name}」，请及时办理。"),
    TASK_YELLOW: (STAFF, "办件{case_number}的待办「{task_name}」临近期限（黄牌预警）。"),
    TASK_RED: (STAFF, "办件{case_number}的待办「{task_name}」已超期（红牌预警）。"),
    STATUS_CHANGED: (SYSTEMS, "办件{case_number}状态由{status_before}变为{status}。"),
    CLOSED: (SYSTEMS, "办件{case_number}已办结（{status}）。"),
    ENQUIRY_ANSWERED: (APPLICANT, "【{center}】您的咨询（编号{enquiry_number}）已答复，请凭咨询编号和手机号查看答复。"),
    ENQUIRY_REFERRED: (STAFF, "咨询{enquiry_number}待本部门答复，请于{due_date}前答复。"),
    # An online pre-application the window returned as not this center's: no case, the platform's id.
    "pre_application_rejected": (SYSTEMS, "网上预申请{platform_application_id}已退回：{reason}"),
}
FACTS = ("center", "case_number", "item_name", "applicant_name", "due_date", "status", "status_before", "decision",
         "reason", "task_name", "enquiry_number", "booking_code", "appointment_time", "window_name",
         "platform_application_id")
DECISIONS = {"approve": "准予许可", "reject": "不予许可"}


class _Facts(dict):
    """A missing fact prints as nothing: a template never fails the step it is written in."""

    def __missing__(self, key):
        return ""


def check_template(kind: str, template: str) -> None:
    """A template refers to known facts only (checked when the settings are read)."""
    if kind not in MESSAGES:
        raise ValueError(f"no event kind {kind!r}")
    for _text, name, _spec, _conversion in string.Formatter().parse(template):
        if name is not None and name not in FACTS:
            raise ValueError(f"template of {kind} names an unknown fact {{{name}}}; known: {', '.join(FACTS)}")


def message(policy: NotifyPolicy, kind: str, facts: dict) -> str:
    template = policy.templates.get(kind) or MESSAGES[kind][1]
    return template.format_map(_Facts({"center": policy.center_name, **facts}))


def record(session: Session, policy: NotifyPolicy, kind: str, case: dict, data: dict, contacts: dict,
           now: datetime) -> OutboxEvent:
    """One event and its deliveries. ``case``: the case's facts (number, status …); ``data``: the
    event's own; ``contacts``: {"phone", "email"} of the applicant, {"staff"} naming whom a task is for."""
    audience = MESSAGES[kind][0]
    key = uuid.uuid4().hex
    payload = {"id": key, "type": kind, "occurred_at": now.astimezone(CHINA_TZ).isoformat(), "case": case,
               "data": data}
    event = OutboxEvent(key=key, kind=kind, audience=audience, case_id=case.get("id"),
                        case_number=case.get("number"), payload=payload, created_at=now)
    text = message(policy, kind, {"case_number": case.get("number"), "item_name": case.get("item_name"),
                                  "applicant_name": case.get("applicant_name"), "due_date": case.get("due_date"),
                                  "status": case.get("status"), "status_before": case.get("status_before"), **data})
    for channel, recipient in _recipients(policy, audience, contacts):
        event.deliveries.append(OutboxDelivery(case_id=event.case_id, channel=channel, recipient=recipient,
                                               message=text, state="pending", attempts=0, next_attempt_at=now))
    session.add(event)
    return event


def _recipients(policy: NotifyPolicy, audience: str, contacts: dict) -> list[tuple[str, str]]:
    found = []
    if audience == APPLICANT:
        addresses = {LOG: contacts.get("phone") or "申请人", SMS: _mobile(contacts.get("phone")),
                     EMAIL: contacts.get("email")}
        found += [(channel, addresses[channel]) for channel in policy.channels if addresses[channel]]
    elif audience == STAFF:
        addresses = {LOG: contacts.get("staff") or "窗口", SMS: _mobile(contacts.get("phone")), EMAIL: None}
        found += [(channel, addresses[channel]) for channel in policy.channels if addresses[channel]]
    return found + [(subscription.channel, subscription.url) for subscription in policy.subscriptions]


def _mobile(phone: str | None) -> str | None:
    """SMS goes to a mobile number only (11 digits from 1); a landline gets none."""
    return phone if phone and len(phone) == 11 and phone.isdigit() and phone.startswith("1") else None


def step_kinds(milestones: list[str], opened_milestones: list[str | None]) -> list[str]:
    """The applicant's events of one step: its completed milestones, and a result ready at the window
    (a delivery step opened without a parcel sent in the same step)."""
    kinds = [MILESTONE_EVENTS[name] for name in milestones if name in MILESTONE_EVENTS]
    if "delivered" in opened_milestones and "dispatched" not in milestones:
        kinds.append(READY_FOR_PICKUP)
    return kinds


def decision_name(decision: str | None) -> str:
    return DECISIONS.get(decision or "", decision or "")


@dataclass(frozen=True)
class DeliveryFilter:
    """Which deliveries a reader asks for; a None narrows nothing. ``created_from``/``created_before``:
    the event's moment, from the first (inclusive) to the second (exclusive)."""

    state: str | None = None
    channel: str | None = None
    case_number: str | None = None
    kind: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None


def listing(session: Session, where: DeliveryFilter = DeliveryFilter(), *, limit: int = 100,
            offset: int = 0) -> tuple[int, list[tuple[OutboxDelivery, OutboxEvent]]]:
    """(total, page) of the deliveries, newest first, each with its event."""
    query = select(OutboxDelivery, OutboxEvent).join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
    for column, value in ((OutboxDelivery.state, where.state), (OutboxDelivery.channel, where.channel),
                          (OutboxEvent.case_number, where.case_number), (OutboxEvent.kind, where.kind)):
        if value:
            query = query.where(column == value)
    if where.created_from is not None:
        query = query.where(OutboxEvent.created_at >= where.created_from)
    if where.created_before is not None:
        query = query.where(OutboxEvent.created_at < where.created_before)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(OutboxDelivery.id.desc()).limit(limit).offset(offset)).all()
    return total, list(rows)


@dataclass(frozen=True)
class ChannelCounts:
    pending: int = 0
    sent: int = 0
    failed: int = 0
    # When the event of the channel's oldest pending delivery happened: a receiver that takes
    # nothing shows here as an age that keeps growing.
    oldest_pending_at: datetime | None = None


def channel_counts(session: Session) -> dict[str, ChannelCounts]:
    """{channel: its deliveries counted by state, and its oldest pending one}, in one grouped query."""
    row, event = OutboxDelivery, OutboxEvent
    found = session.execute(
        select(row.channel,
               func.count().filter(row.state == PENDING), func.count().filter(row.state == SENT),
               func.count().filter(row.state == FAILED), func.min(event.created_at).filter(row.state == PENDING))
        .join(event, event.id == row.event_id).group_by(row.channel)).all()
    return {channel: ChannelCounts(pending, sent, failed, oldest)
            for channel, pending, sent, failed, oldest in found}
