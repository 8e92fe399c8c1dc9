"""Leave (请销假) as ``CaseEngine.leave``: request, the two approvals or a stage's refusal, the
requester's withdrawal, the return; each one transaction with its audit entry.

The center's approval makes the leave the AB absence of a window's A post through
engine/posts (so one rule decides the AB limits), and charges 请假未委托 when nobody covers;
the return ends that absence. The same AB rule is asked at request time, so a cover who
cannot cover is refused at once rather than at the center's approval.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.audit import service as audit
from engine.context import EngineContext
from engine.errors import Forbidden, InvalidInput, NotFound, OneWindowError
from engine.leave import service as leave_rows
from engine.leave.models import LeaveRequest
from engine.ledger.service import automatic_row, record_automatic_rows
from engine.permissions import (
    keeps_attendance,
    may_approve_leave,
    may_refuse_leave,
    may_return_from_leave,
    may_see_leave,
    may_withdraw_leave,
    supervises,
)
from engine.posts import service as posts
from engine.roles import CASE_WORKERS
from engine.staff.models import ServiceWindow, Staff

WITHOUT_COVER = "leave_without_cover"


@dataclass(frozen=True)
class LeaveLine:
    leave: LeaveRequest
    name: str
    username: str
    department_code: str | None
    kind_name: str
    cover_name: str | None
    cover_username: str | None
    department_approver: str | None
    center_approver: str | None
    refused_by: str | None
    overrun: bool
    may_approve: bool
    may_return: bool
    may_refuse: bool
    may_withdraw: bool


class LeaveBook:
    def __init__(self, context: EngineContext):
        self.context = context

    def request(self, actor: Actor, *, kind, starts_on, ends_on, reason, cover=None, starts_half=None,
                ends_half=None) -> LeaveLine:
        keeps_attendance(actor).check()
        now, today = self.context.clock.now(), self.context.clock.today()
        with self.context.transaction() as session:
            cover_id = self._cover(session, actor, cover)
            leave = leave_rows.request(session, actor.id, kind=kind, starts_on=starts_on, ends_on=ends_on,
                                       reason=reason, cover_staff_id=cover_id, today=today, now=now,
                                       starts_half=starts_half, ends_half=ends_half)
            window = _a_post_of(session, actor.id)
            if window is not None and cover_id is not None and self._holds_working_day(leave):
                with _as_cover():  # what the center's approval will ask, asked now
                    posts.check_absence(session, window, cover_id, leave.starts_on, leave.ends_on,
                                        self.context.calendar.get(), today)
            audit.record(session, actor=actor, action="leave_request", at=now, detail=_detail(leave))
            leave_id = leave.id
        return self.line(actor, leave_id)

    @staticmethod
    def _cover(session: Session, actor: Actor, cover) -> int | None:
        if cover in (None, ""):
            return None
        person = posts.staff_member(session, cover, "cover")
        if person.id == actor.id:
            raise InvalidInput("委托人须是另一人 (the cover must be someone else)", field="cover")
        if not person.active or person.role not in CASE_WORKERS:
            raise InvalidInput(f"{person.name} 不能代岗 (is no active case worker to cover)", field="cover")
        return person.id

    def refuse(self, actor: Actor, leave_id, reason) -> LeaveLine:
        """不予批准 at the stage the leave is at, by whoever may approve that stage, with the reason."""
        now = self.context.clock.now()
        with self.context.transaction() as session:
            leave = leave_rows.find(session, leave_id, lock=True)
            requester = session.get(Staff, leave.staff_id)
            self._decision(actor, leave, requester, may_refuse_leave).check()
            stage = leave_rows.refuse_stage(leave, actor.id, reason, now)
            audit.record(session, actor=actor, action="leave_refuse", at=now,
                         detail={**_detail(leave), "stage": stage, "reason": leave.refusal_reason})
        return self.line(actor, leave_id)

    def withdraw(self, actor: Actor, leave_id) -> LeaveLine:
        """撤回: the requester ends his leave before the center has approved it."""
        now = self.context.clock.now()
        with self.context.transaction() as session:
            leave = leave_rows.find(session, leave_id, lock=True)
            may_withdraw_leave(actor, leave.staff_id, leave.state).check()
            leave_rows.mark_withdrawn(leave, now)
            audit.record(session, actor=actor, action="leave_withdraw", at=now, detail=_detail(leave))
        return self.line(actor, leave_id)

    def approve(self, actor: Actor, leave_id) -> LeaveLine:
        now, today = self.context.clock.now(), self.context.clock.today()
        with self.context.transaction() as session:
            leave = leave_rows.find(session, leave_id, lock=True)
            requester = session.get(Staff, leave.staff_id)
            self._decision(actor, leave, requester).check()
            stage = leave_rows.approve_stage(leave, actor.id, now)
            if stage == "center":
                self._take_effect(session, actor, leave, requester, today, now)
            audit.record(session, actor=actor, action="leave_approve", at=now, detail={**_detail(leave), "stage": stage})
        return self.line(actor, leave_id)

    @staticmethod
    def _decision(actor: Actor, leave: LeaveRequest, requester: Staff, rule=may_approve_leave):
        return rule(actor, leave.state, requester_id=requester.id, requester_role=requester.role,
                    requester_department=requester.department_code,
                    department_approver_id=leave.department_approved_by_id)

    def _take_effect(self, session: Session, actor: Actor, leave: LeaveRequest, requester: Staff, today: date,
                     now) -> None:
        """双备案: the approved leave becomes A's absence covered by the named B post, or is charged as
        请假未委托 when nobody covers. Leave holding no working day (a weekend) leaves no window work
        to hand over: neither."""
        if not self._holds_working_day(leave):
            return
        if leave.cover_staff_id is None:
            kind = leave_rows.KINDS[leave.kind]
            record_automatic_rows(session, WITHOUT_COVER, [automatic_row(
                staff_id=leave.staff_id, violation_key=f"leave:{leave.id}:without_cover", occurred_on=leave.starts_on,
                case_id=None, now=now,
                evidence=f"请假 #{leave.id}（{kind}，{leave.starts_on} 至 {leave.ends_on}）未委托代岗人")])
            return
        window = _a_post_of(session, requester.id)
        if window is None or leave.ends_on < today:
            return  # not a window's A post (or the leave is over): there is no A work to hand to B
        cover = session.get(Staff, leave.cover_staff_id)
        with _as_cover():
            absence = posts.record_absence(session, actor, window.code, cover.username, leave.starts_on,
                                           leave.ends_on, f"请假 #{leave.id}：{leave_rows.KINDS[leave.kind]}，{leave.reason}"[:300],
                                           self.context.calendar.get(), now)
        leave.absence_id = absence.id

    def _holds_working_day(self, leave: LeaveRequest) -> bool:
        return posts.working_days_in(self.context.calendar.get(), leave.starts_on, leave.ends_on) > 0

    def record_return(self, actor: Actor, leave_id) -> LeaveLine:
        """销假 today: the leave stops excusing absence from today and its AB absence ends."""
        now, today = self.context.clock.now(), self.context.clock.today()
        with self.context.transaction() as session:
            leave = leave_rows.find(session, leave_id, lock=True)
            may_return_from_leave(actor, leave.staff_id).check()
            leave_rows.mark_returned(leave, today, now)
            if leave.absence_id is not None:
                posts.end_absence(session, actor, leave.absence_id, today, self.context.calendar.get(), now)
            audit.record(session, actor=actor, action="leave_return", at=now,
                         detail={**_detail(leave), "returned_on": today.isoformat()})
        return self.line(actor, leave_id)

    # -- reading ------------------------------------------------------------------------
    def line(self, actor: Actor, leave_id) -> LeaveLine:
        with self.context.session() as session:
            leave = leave_rows.find(session, leave_id)
            lines = self._lines(session, actor, [leave])
        if not may_see_leave(actor, leave.staff_id, lines[0].department_code):
            raise NotFound(f"没有请假 #{leave_id} (no leave {leave_id})", field="leave_id")
        return lines[0]

    def mine(self, actor: Actor) -> list[LeaveLine]:
        with self.context.session() as session:
            return self._lines(session, actor, leave_rows.of_staff(session, actor.id))

    def to_approve(self, actor: Actor) -> list[LeaveLine]:
        """Requests at a stage the actor may approve, soonest first."""
        with self.context.session() as session:
            rows = leave_rows.of_staff(session, None, (leave_rows.REQUESTED, leave_rows.DEPARTMENT_APPROVED))
            return sorted((line for line in self._lines(session, actor, rows) if line.may_approve),
                          key=lambda line: (line.leave.starts_on, line.leave.id))

    def all(self, actor: Actor) -> list[LeaveLine]:
        """Every leave (the center's 备案), newest first; overrun ones are flagged."""
        if not supervises(actor):
            raise Forbidden("只有督查人员查看全部请假 (only supervisors see every leave)", field="role")
        with self.context.session() as session:
            return self._lines(session, actor, leave_rows.of_staff(session, None))

    def _lines(self, session: Session, actor: Actor, rows: list[LeaveRequest]) -> list[LeaveLine]:
        ids = set()
        for row in rows:
            ids |= {row.staff_id, row.cover_staff_id, row.department_approved_by_id, row.center_approved_by_id,
                    row.refused_by_id}
        people = {person.id: person for person in session.scalars(select(Staff).where(Staff.id.in_(ids - {None})))}
        calendar, today = self.context.calendar.get(), self.context.clock.today()

        def name(staff_id):
            return people[staff_id].name if staff_id else None

        lines = []
        for row in rows:
            person, cover = people[row.staff_id], people.get(row.cover_staff_id)
            lines.append(LeaveLine(
                row, person.name, person.username, person.department_code, leave_rows.KINDS[row.kind],
                cover and cover.name, cover and cover.username, name(row.department_approved_by_id),
                name(row.center_approved_by_id), name(row.refused_by_id), leave_rows.overrun(row, calendar, today),
                self._decision(actor, row, person).allowed,
                row.state == leave_rows.APPROVED and may_return_from_leave(actor, row.staff_id).allowed,
                self._decision(actor, row, person, may_refuse_leave).allowed,
                may_withdraw_leave(actor, row.staff_id, row.state).allowed))
        return lines


def _a_post_of(session: Session, staff_id: int) -> ServiceWindow | None:
    return session.scalar(select(ServiceWindow).where(ServiceWindow.a_staff_id == staff_id,
                                                      ServiceWindow.active.is_(True)))


@contextmanager
def _as_cover():
    """The AB rule names B's input ``b_staff``; on a leave it is the ``cover``."""
    try:
        yield
    except OneWindowError as error:
        if error.field == "b_staff":
            error.field = "cover"
        raise


def _detail(leave: LeaveRequest) -> dict:
    return {"leave": leave.id, "staff_id": leave.staff_id, "kind": leave.kind, "starts_on": leave.starts_on.isoformat(),
            "starts_half": leave.starts_half, "ends_on": leave.ends_on.isoformat(), "ends_half": leave.ends_half,
            "cover_staff_id": leave.cover_staff_id, "state": leave.state}
