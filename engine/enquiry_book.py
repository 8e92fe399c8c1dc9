"""Enquiries (咨询) as ``CaseEngine.enquiries``: registered at the window, on the phone or online,
answered, referred (转办) to a department; each one transaction with its audit entry, the answer
with its outbox event to the asker. The late-reply job charges XL-06 (回复网上咨询超过2个工作日)
for an online enquiry unanswered after its 2 working days, exactly once (docs/rules.md "Enquiries").
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import masking
from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.catalogue.models import ServiceItem
from engine.clock import CHINA_TZ
from engine.context import EngineContext
from engine.enquiries import service as enquiry_rows
from engine.enquiries.models import ANSWERED, ONLINE, Enquiry, EnquiryReferral
from engine.errors import NotFound, OneWindowError
from engine.ledger.service import automatic_row, record_automatic_rows
from engine.outbox import service as outbox
from engine.outbox.channels import NotifyPolicy
from engine.permissions import (
    enquiry_scope,
    may_handle_enquiry,
    may_register_enquiry,
    may_see_enquiry,
    sees_full_numbers,
)
from engine.roles import APPROVER, CHIEF
from engine.staff.models import Staff

LATE_REPLY = "enquiry_late_reply"
# Who asked online: no staff member; the audit names the asker's side.
ASKER = Actor(id=None, username="asker", name="咨询人", role="applicant")
# The fields a refusal names, as the person knows them (web.refusals shows the label).
LABELS = {"channel": "咨询渠道", "asker_name": "咨询人姓名", "asker_phone": "联系电话", "item_code": "咨询事项",
          "question": "咨询内容", "answer": "答复内容", "department": "部门", "days": "答复时限（工作日）",
          "note": "转办说明", "state": "状态", "enquiry_id": "咨询", "receipt_number": "咨询编号"}


@dataclass(frozen=True)
class ReferralLine:
    referral: EnquiryReferral
    referred_by: str


@dataclass(frozen=True)
class EnquiryLine:
    enquiry: Enquiry
    asker_phone: str | None  # as the reader may see it (engine/masking.py)
    item_name: str | None
    first_staff: str | None
    answered_by: str | None
    charged_staff: str | None
    referrals: list[ReferralLine]
    due_on: date | None
    overdue: bool
    may_handle: bool


@dataclass(frozen=True)
class PublicAnswer:
    """What the asker reads with his number and phone: his question and the answer, nothing staff-internal."""

    number: str
    question: str
    received_on: date
    answered: bool
    answer: str | None
    answered_on: date | None
    reply_due_on: date | None


class EnquiryBook:
    def __init__(self, context: EngineContext, notify: NotifyPolicy):
        self.context = context
        self.notify = notify

    def register(self, actor: Actor, *, channel, asker_name, question, asker_phone=None, item_code=None) -> EnquiryLine:
        """首问: the staff member asked first registers it and is responsible for it."""
        may_register_enquiry(actor).check()
        with labelled(), self.context.transaction() as session:
            enquiry = self._register(session, actor, channel=channel, asker_name=asker_name, asker_phone=asker_phone,
                                     item_code=item_code, question=question, department_code=None)
            enquiry_id = enquiry.id
        return self.line(actor, enquiry_id)

    def ask_online(self, *, asker_name, asker_phone, question, item_code=None, department_code=None) -> PublicAnswer:
        """An enquiry from the public page (no sign-in): for the department named, or the item's."""
        with labelled(), self.context.transaction() as session:
            enquiry = self._register(session, ASKER, channel=ONLINE, asker_name=asker_name, asker_phone=asker_phone,
                                     item_code=item_code, question=question, department_code=department_code)
            self._tell_department(session, enquiry, enquiry.reply_due_on)
            return _public(enquiry)

    def _register(self, session: Session, actor: Actor, **fields) -> Enquiry:
        now, today = self.context.clock.now(), self.context.clock.today()
        enquiry = enquiry_rows.register(session, first_staff_id=actor.id, calendar=self.context.calendar.get(),
                                        now=now, today=today, **fields)
        audit.record(session, actor=actor, action="enquiry_register", at=now, detail=_detail(enquiry))
        return enquiry

    def answer(self, actor: Actor, enquiry_id, answer) -> EnquiryLine:
        """The answer, by the 首问 person or the department it is referred to; the asker is told."""
        now = self.context.clock.now()
        with labelled(), self.context.transaction() as session:
            enquiry = self._handled(session, actor, enquiry_id)
            enquiry_rows.answer(enquiry, actor.id, answer, now)
            audit.record(session, actor=actor, action="enquiry_answer", at=now, detail=_detail(enquiry))
            outbox.record(session, self.notify, outbox.ENQUIRY_ANSWERED, {},
                          {"enquiry_id": enquiry.id, "enquiry_number": enquiry.number, "channel": enquiry.channel},
                          {"phone": enquiry.asker_phone}, now)
        return self.line(actor, enquiry_id)

    def refer(self, actor: Actor, enquiry_id, *, department, days, note=None) -> EnquiryLine:
        """转办 to a department, due in ``days`` working days; its approvers and chief see and answer it."""
        now, today = self.context.clock.now(), self.context.clock.today()
        with labelled(), self.context.transaction() as session:
            enquiry = self._handled(session, actor, enquiry_id)
            referral = enquiry_rows.refer(session, enquiry, actor.id, department, days, note,
                                          calendar=self.context.calendar.get(), now=now, today=today)
            audit.record(session, actor=actor, action="enquiry_refer", at=now,
                         detail={**_detail(enquiry), "due_on": referral.due_on.isoformat(), "days": days})
            self._tell_department(session, enquiry, referral.due_on)
        return self.line(actor, enquiry_id)

    def _tell_department(self, session: Session, enquiry: Enquiry, due_on: date) -> None:
        """The department now holding the enquiry hears of it with the step that gave it, in its
        transaction: its queue is told (``enquiry_referred``), as a new task's is (``task_queued``)."""
        outbox.record(session, self.notify, outbox.ENQUIRY_REFERRED, {},
                      {"enquiry_id": enquiry.id, "enquiry_number": enquiry.number, "channel": enquiry.channel,
                       "department_code": enquiry.department_code, "due_date": due_on.isoformat()},
                      {"staff": f"{enquiry.department_code}:{APPROVER}"}, self.context.clock.now())

    def _handled(self, session: Session, actor: Actor, enquiry_id) -> Enquiry:
        enquiry = enquiry_rows.find(session, enquiry_id, lock=True)
        self._visible(session, actor, enquiry)
        may_handle_enquiry(actor, enquiry.state, enquiry.first_staff_id, enquiry.department_code).check()
        return enquiry

    @staticmethod
    def _visible(session: Session, actor: Actor, enquiry: Enquiry) -> None:
        """An enquiry the actor may not read is one he cannot find."""
        departments = {row.department_code for row in enquiry_rows.referrals(session, [enquiry.id])[enquiry.id]}
        if not may_see_enquiry(actor, enquiry.first_staff_id, departments | {enquiry.department_code} - {None}):
            raise NotFound(f"没有咨询 #{enquiry.id} (no enquiry {enquiry.id})", field="enquiry_id")

    # -- the late-reply job -------------------------------------------------------------
    def charge_late(self, limit: int = 200) -> int:
        """XL-06 for each online enquiry unanswered after its 2 working days, once, each in its own
        transaction: the row's lock and its ``lapsed_on`` keep a second scheduler from charging it again,
        and the ledger's unique violation key would refuse a second entry besides."""
        now, today, done = self.context.clock.now(), self.context.clock.today(), 0
        with self.context.session() as session:
            due = enquiry_rows.late_online(session, today, limit)
        for enquiry_id in due:
            with self.context.transaction() as session:
                enquiry = enquiry_rows.find(session, enquiry_id, lock=True)
                if enquiry.lapsed_on is not None or enquiry.state == ANSWERED:
                    continue  # another scheduler dealt with it, or it was answered meanwhile
                staff_id = _responsible(session, enquiry)
                enquiry.lapsed_on, enquiry.charged_staff_id = today, staff_id
                if staff_id is not None:
                    record_automatic_rows(session, LATE_REPLY, [automatic_row(
                        staff_id=staff_id, violation_key=f"{LATE_REPLY}:{enquiry.id}",
                        occurred_on=enquiry.reply_due_on + timedelta(days=1), case_id=None, now=now,
                        evidence=f"网上咨询 {enquiry.number} 于 {enquiry.received_on} 收到，"
                                 f"{enquiry.reply_due_on} 前未答复（超过2个工作日）")])
                audit.record(session, actor=SYSTEM, action="enquiry_late", at=now,
                             detail={**_detail(enquiry), "charged_staff_id": staff_id})
                done += 1
        return done

    # -- reading ------------------------------------------------------------------------
    def line(self, actor: Actor, enquiry_id) -> EnquiryLine:
        with labelled(), self.context.session() as session:
            enquiry = enquiry_rows.find(session, enquiry_id)
            self._visible(session, actor, enquiry)
            return self._lines(session, actor, [enquiry], in_list=False)[0]

    def listing(self, actor: Actor, *, state=None, channel=None, department=None, overdue=False) -> list[EnquiryLine]:
        with labelled():
            filters = enquiry_rows.checked_filters(state, channel, department, overdue)
            scope = enquiry_scope(actor)
        with self.context.session() as session:
            rows = enquiry_rows.listing(session, scope, filters, self.context.clock.today())
            return self._lines(session, actor, rows)

    def public_answer(self, number, phone) -> PublicAnswer:
        with labelled(), self.context.session() as session:
            return _public(enquiry_rows.by_number_and_phone(session, number, phone))

    def _lines(self, session: Session, actor: Actor, rows: list[Enquiry], *, in_list: bool = True) -> list[EnquiryLine]:
        """Lists mask the asker's phone for everyone; one enquiry shows it whole to the window."""
        whole = not in_list and sees_full_numbers(actor)
        referrals = enquiry_rows.referrals(session, [row.id for row in rows])
        ids = {person for row in rows for person in (row.first_staff_id, row.answered_by_id, row.charged_staff_id)}
        ids |= {referral.referred_by_id for found in referrals.values() for referral in found}
        names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids - {None}))).all())
        codes = {row.item_code for row in rows} - {None}
        items = dict(session.execute(select(ServiceItem.code, ServiceItem.name).where(ServiceItem.code.in_(codes))).all())
        today = self.context.clock.today()
        for row in rows:
            session.expunge(row)
        return [EnquiryLine(
            row, row.asker_phone if whole else masking.phone(row.asker_phone) or None, items.get(row.item_code), names.get(row.first_staff_id), names.get(row.answered_by_id),
            names.get(row.charged_staff_id),
            [ReferralLine(referral, names.get(referral.referred_by_id, "")) for referral in referrals[row.id]],
            enquiry_rows.due_on(row), enquiry_rows.overdue(row, today),
            may_handle_enquiry(actor, row.state, row.first_staff_id, row.department_code).allowed) for row in rows]


def _responsible(session: Session, enquiry: Enquiry) -> int | None:
    """Whom XL-06 charges (docs/rules.md "Enquiries"): the department it is referred to answers for it through
    its chief representative (首席代表); one held by nobody's department is the 首问 person's."""
    if enquiry.department_code is not None:
        chief = session.scalar(select(Staff.id).where(
            Staff.department_code == enquiry.department_code, Staff.role == CHIEF, Staff.active.is_(True))
            .order_by(Staff.id).limit(1))
        if chief is not None:
            return chief
    return enquiry.first_staff_id


def _public(enquiry: Enquiry) -> PublicAnswer:
    answered_on = enquiry.answered_at.astimezone(CHINA_TZ).date() if enquiry.answered_at else None
    return PublicAnswer(enquiry.number, enquiry.question, enquiry.received_on, enquiry.state == ANSWERED,
                        enquiry.answer, answered_on, enquiry.reply_due_on)


@contextmanager
def labelled():
    """A refusal naming one of the enquiry's fields carries its label."""
    try:
        yield
    except OneWindowError as error:
        if error.field in LABELS and "label" not in error.details:
            error.details["label"] = LABELS[error.field]
        raise


def _detail(enquiry: Enquiry) -> dict:
    return {"enquiry": enquiry.id, "number": enquiry.number, "channel": enquiry.channel, "state": enquiry.state,
            "first_staff_id": enquiry.first_staff_id, "department_code": enquiry.department_code,
            "item_code": enquiry.item_code}
