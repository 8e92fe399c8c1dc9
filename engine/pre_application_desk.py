"""Online pre-applications as ``CaseEngine.pre_applications``: the platform posts one (idempotent by
its id), the window lists what waits with the 5-working-day due date of 第32条, and the clerk
registers it as a case or rejects it as not this center's.

Registering runs the window's own intake (``CaseActions.create_case``) with the platform's receipt
as the case's: the model's completeness check then accepts it or leads to the one-time notice, and
the notice's 5 working days (and 视为受理 when they pass) count from the receipt, not from the
clerk's click. The pre-application is linked to its case inside the case's transaction, under the
pre-application's row lock: registered once only, and never a case without its link.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from engine.actions import CaseActions
from engine.actor import Actor
from engine.audit import service as audit
from engine.cases.models import Case
from engine.catalogue.models import ServiceItem
from engine.context import EngineContext
from engine.deadlines.states import WarningPolicy, deadline
from engine.outbox import service as outbox
from engine.outbox.channels import NotifyPolicy
from engine.permissions import may_handle_pre_applications
from engine.preapplications import service as rows
from engine.preapplications.models import REGISTERED, REJECTED, PreApplication
from engine.service_account_admin import service_actor
from engine.service_accounts.models import ServiceAccount

REJECTED_EVENT = "pre_application_rejected"


@dataclass(frozen=True)
class PreApplicationLine:
    """One pre-application as the window sees it: the notice's due day and its board colour."""

    row: PreApplication
    item_name: str
    notice_due_on: date
    deadline_state: str  # normal / yellow / red, as the board says it
    case_number: str | None


class PreApplicationDesk:
    def __init__(self, context: EngineContext, actions: CaseActions, warnings: WarningPolicy, notify: NotifyPolicy):
        self.context, self.clock = context, context.clock
        self.actions, self.warnings, self.notify = actions, warnings, notify

    # -- the platform ------------------------------------------------------------------------
    def submit(self, account: ServiceAccount, body) -> tuple[dict, bool]:
        """(the answer, whether this post created it): the same id and body again is the same answer."""
        now = self.clock.now()
        with self.context.transaction() as session:
            submission = rows.check_submission(session, body, now)
            row, created = rows.store(session, submission, account.id, now)
            if created:
                audit.record(session, actor=service_actor(account), action="pre_application_received", at=now,
                             detail={"pre_application_id": row.id, "platform_application_id": row.platform_application_id,
                                     "item_code": row.item_code})
            return self.answer(row), created

    def answer(self, row: PreApplication) -> dict:
        return {"id": row.id, "platform_application_id": row.platform_application_id, "item_code": row.item_code,
                "state": row.state, "submitted_at": row.received_at.isoformat(),
                "notice_due_on": rows.notice_due(self.context.calendar.get(), row).isoformat()}

    # -- the window --------------------------------------------------------------------------
    def _lines(self, session, found: list[PreApplication]) -> list[PreApplicationLine]:
        calendar, today = self.context.calendar.get(), self.clock.today()
        names = dict(session.execute(select(ServiceItem.code, ServiceItem.name).where(
            ServiceItem.code.in_({row.item_code for row in found}))).all())
        numbers = dict(session.execute(select(Case.id, Case.number).where(
            Case.id.in_([row.case_id for row in found if row.case_id]))).all())
        lines = []
        for row in found:
            due = rows.notice_due(calendar, row)
            state = deadline(calendar, row.received_on, due, today, self.warnings).state
            lines.append(PreApplicationLine(row, names.get(row.item_code, row.item_code), due, state,
                                            numbers.get(row.case_id)))
        return lines

    def waiting(self, actor: Actor) -> list[PreApplicationLine]:
        """What waits for the window, oldest receipt first."""
        may_handle_pre_applications(actor).check()
        with self.context.session() as session:
            return self._lines(session, rows.waiting(session))

    def handled(self, actor: Actor) -> list[PreApplicationLine]:
        """The latest registered or rejected ones."""
        may_handle_pre_applications(actor).check()
        with self.context.session() as session:
            return self._lines(session, rows.recent_handled(session))

    def line(self, actor: Actor, pre_application_id) -> PreApplicationLine:
        may_handle_pre_applications(actor).check()
        with self.context.session() as session:
            return self._lines(session, [rows.lock(session, pre_application_id, for_update=False)])[0]

    def register(self, actor: Actor, pre_application_id, applicant: dict, intake: dict) -> Case:
        """The window's intake of the pre-application, received when the platform received it."""
        may_handle_pre_applications(actor).check()
        with self.context.session() as session:
            found = rows.lock(session, pre_application_id, for_update=False)
            rows.check_pending(found)  # refused before the intake runs; checked again under the lock
            item_code, received_at, row_id = found.item_code, found.received_at, found.id

        def link(session, case: Case) -> None:
            row = rows.lock(session, row_id)  # a second clerk waits here, then finds it registered
            rows.check_pending(row)
            row.state, row.case_id, row.handled_by_id, row.handled_at = REGISTERED, case.id, actor.id, self.clock.now()
            case.platform_application_id = row.platform_application_id
            audit.record(session, actor=actor, action="pre_application_registered", at=row.handled_at,
                         case_id=case.id, detail={"pre_application_id": row.id,
                                                  "platform_application_id": row.platform_application_id})
        return self.actions.create_case(actor, item_code, applicant, intake, source=link, received_at=received_at)

    def reject(self, actor: Actor, pre_application_id, reason) -> PreApplication:
        """Not an application for this center: rejected with the reason, audited."""
        may_handle_pre_applications(actor).check()
        reason = rows.check_reason(reason)
        now = self.clock.now()
        with self.context.transaction() as session:
            row = rows.lock(session, pre_application_id)
            rows.check_pending(row)
            row.state, row.rejection_reason, row.handled_by_id, row.handled_at = REJECTED, reason, actor.id, now
            audit.record(session, actor=actor, action="pre_application_rejected", at=now,
                         detail={"pre_application_id": row.id,
                                 "platform_application_id": row.platform_application_id, "reason": reason})
            # The platform hears of it as of a case's status (docs/events.md), in the same transaction.
            outbox.record(session, self.notify, REJECTED_EVENT,
                          {"platform_application_id": row.platform_application_id, "item_code": row.item_code,
                           "status": "已退回", "status_before": "待接件"}, {"reason": reason}, {}, now)
        return row
