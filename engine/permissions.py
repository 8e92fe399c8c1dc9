"""What an actor may do with a case or a task: the one place these rules live.

Every rule answers with a ``Decision``: allowed, or refused with the error that says why.
Engine actions ``check()`` it under the case's lock; pages and the API ask the same rules
which buttons to show and which pages to open, so a button and its action never disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor, Cover
from engine.cases.models import Case
from engine.catalogue.models import ItemCoDepartment
from engine.errors import Conflict, Forbidden, OneWindowError
from engine.roles import (
    ACTING_ROLES,
    ADMIN,
    ADMINISTERING,
    BOARD_READERS,
    CASE_WORKERS,
    CENTER_LEAVE_APPROVERS,
    CHIEF,
    CLERK,
    DEPARTMENT_ROLES,
    DIRECTOR,
    PRE_APPLICATION_DESK,
    SERVICE_ACCOUNT_ADMINS,
    SUPERVISING,
)
from engine.tasks.models import OPEN, HumanTask
from engine.workflow.properties import CLOCK_STOPPABLE


@dataclass(frozen=True)
class Decision:
    """Allowed (``refusal`` None) or refused with the error an action would raise."""

    refusal: OneWindowError | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str | None:
        return self.refusal.message if self.refusal else None

    def check(self) -> None:
        if self.refusal is not None:
            raise self.refusal

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision()
# A task's state as a refusal says it ("已办结"): the task rows keep the English key.
STATE_WORDS = {"completed": "办结", "cancelled": "取消"}


def _refused(error: OneWindowError) -> Decision:
    return Decision(error)


# -- the center's areas ----------------------------------------------------------------

def holds_role(actor: Actor, roles) -> bool:
    """The gate of a page or API area: the actor holds one of ``roles`` (engine.roles groups them)."""
    return any(role in roles for role in actor.roles)


def supervises(actor: Actor) -> bool:
    """Supervisors, administrators and the director oversee the center (board, ledger, ratings, complaints, posts)."""
    return holds_role(actor, SUPERVISING)


def require_supervisor(actor: Actor, what_zh: str, what_en: str) -> None:
    """``what_zh`` / ``what_en``: the action, as "只有督查人员可以…" and "only supervisors …" end."""
    if not supervises(actor):
        raise Forbidden(f"只有督查人员可以{what_zh} (only supervisors {what_en})", field="role")


# -- sign-in and API tokens ------------------------------------------------------------

def may_end_token(actor: Actor, owner_id: int) -> bool:
    """A person ends his own tokens; an administrator anyone's."""
    return actor.id == owner_id or actor.role == ADMIN


def may_end_tokens_of_others(actor: Actor) -> Decision:
    if actor.role != ADMIN:
        return _refused(Forbidden("只有系统管理员可以注销他人的令牌 (only an administrator ends another person's tokens)",
                                  field="role"))
    return ALLOWED


def may_see_sign_in_attacks(actor: Actor) -> Decision:
    """Supervisors and administrators are told of repeated failed sign-ins (guessing, lockout attempts)."""
    if not supervises(actor):
        return _refused(Forbidden("只有督查人员可以查看登录失败记录 (only supervisors see failed sign-ins)", field="role"))
    return ALLOWED


def may_contest_rating(actor: Actor, department_code: str) -> Decision:
    """申诉复核 (国办发〔2019〕51号): the chief representative of the rated case's department contests."""
    if not holds_role(actor, (CHIEF,)):
        return _refused(Forbidden("只有部门首席代表可以对差评申诉 (only a chief representative contests a rating)",
                                  field="role"))
    if actor.department_code != department_code:
        return _refused(Forbidden(f"只能对本部门办件的评价申诉 (the case belongs to department {department_code})",
                                  field="case_number"))
    return ALLOWED


def in_back_office(actor: Actor) -> bool:
    """Approvers and chief representatives, who belong to one department."""
    return holds_role(actor, DEPARTMENT_ROLES)


def home_area(role: str) -> str:
    """Where a person of ``role`` works: the window, the back office, supervision, or the accounts."""
    if role == CLERK:
        return "window"
    if role == ADMIN:
        return "admin"
    return "back_office" if role in DEPARTMENT_ROLES else "supervision"


def may_register(actor: Actor) -> Decision:
    if not holds_role(actor, (CLERK,)):
        return _refused(Forbidden("只有窗口受理人员可以登记申请 (only window clerks register applications)", field="role"))
    return ALLOWED


def sees_full_numbers(actor: Actor) -> bool:
    """Only the window, which checks identity and calls the applicant, reads whole ID and phone numbers."""
    return holds_role(actor, (CLERK,))


def may_administer(actor: Actor) -> Decision:
    """The center's administration — accounts, staff, windows and posts, the catalogue, the
    calendar, process versions and scoring rules — is the system administrator's (系统管理员)."""
    if not holds_role(actor, ADMINISTERING):
        return _refused(Forbidden("只有系统管理员可以管理中心设置与账户 (only the system administrator "
                                  "administers the center)", field="role"))
    return ALLOWED


def board_department(actor: Actor, requested: str | None) -> str | None:
    """Whose board the actor sees: supervisors any department's (None: all of them); a chief
    representative only his own department's (issue 18: the chief watches his people's cases)."""
    if supervises(actor):
        return requested
    if holds_role(actor, (CHIEF,)) and requested in (None, actor.department_code):
        return actor.department_code
    raise Forbidden("只能查看本部门的看板 (only your own department's board)", field="department")


def refusal_register_department(actor: Actor, requested: str | None) -> str | None:
    """Whose refusals the actor reads in the 否决备案 register: supervisors (and the director and
    administrator) any department's (None: all); a chief representative only his own department's."""
    if supervises(actor):
        return requested
    if holds_role(actor, (CHIEF,)):
        if requested in (None, "", actor.department_code):
            return actor.department_code
        raise Forbidden("只能查看本部门的否决备案 (only your own department's refusals)", field="department")
    raise Forbidden("只有督查人员和首席代表可以查看否决备案 (only supervisors and chief representatives "
                    "read the refusal register)", field="role")


# -- the case register and the statistics ---------------------------------------------

@dataclass(frozen=True)
class CaseScope:
    """Which cases a person's register and reports hold: a department's (``department_code``),
    those registered by a window's clerks (``registered_by``), or every case (both None)."""

    department_code: str | None = None
    registered_by: frozenset[int] | None = None


def case_scope(actor: Actor, requested_department: str | None, window_clerks: Callable[[], frozenset[int]]) -> CaseScope:
    """The register's and the reports' scope (issue 15): supervisors every case (or the department
    they ask for), approvers and chief representatives their department's, clerks what their
    window received (``window_clerks``: the clerk and those posted with him, AB岗)."""
    if supervises(actor):
        return CaseScope(department_code=requested_department)
    if in_back_office(actor):
        if requested_department not in (None, actor.department_code):
            raise Forbidden("只能查看本部门的办件 (only your own department's cases)", field="department")
        return CaseScope(department_code=actor.department_code)
    if holds_role(actor, (CLERK,)):
        return CaseScope(department_code=requested_department, registered_by=window_clerks())
    raise Forbidden("无权查看办件台账 (you may not read the case register)", field="role")


def may_read_reports(actor: Actor) -> Decision:
    """The statistics reports: supervisors the center's, a chief representative his department's."""
    if not holds_role(actor, BOARD_READERS):
        return _refused(Forbidden("只有督查人员和首席代表可以查看统计报表 (only supervisors and chief "
                                  "representatives read the statistics)", field="role"))
    return ALLOWED


# -- attendance and leave (考勤, 请销假) --------------------------------------------------

def keeps_attendance(actor: Actor) -> Decision:
    """Attendance is kept for the people who work cases (the ledger scores them); each signs for himself."""
    if actor.id is None or not holds_role(actor, CASE_WORKERS):
        return _refused(Forbidden("考勤只记窗口与后台工作人员 (attendance is kept for case workers only)", field="role"))
    return ALLOWED


def may_manage_attendance(actor: Actor) -> Decision:
    """The day's sheet, the punch clock's import, the weekly bulletin and the computation: the center's."""
    if not supervises(actor):
        return _refused(Forbidden("只有中心督查人员管理考勤 (only supervisors manage attendance)", field="role"))
    return ALLOWED


def attendance_scope(actor: Actor, staff_id: int | None, staff_department: str | None) -> Decision:
    """Whose attendance the actor reads: supervisors anyone's, a chief representative his department's,
    everyone his own."""
    if supervises(actor) or staff_id == actor.id:
        return ALLOWED
    if staff_id is not None and holds_role(actor, (CHIEF,)) and staff_department == actor.department_code:
        return ALLOWED
    return _refused(Forbidden("只能查看本人的考勤 (only your own attendance)", field="staff"))


def leave_department_approver_is_director(requester_role: str, requester_department: str | None) -> bool:
    """A clerk of the comprehensive windows has no department, and a chief representative may not approve
    his own leave: the director (中心主任) gives their department approval."""
    return requester_department is None or requester_role == CHIEF


def may_approve_leave(actor: Actor, state: str, *, requester_id: int, requester_role: str,
                      requester_department: str | None, department_approver_id: int | None) -> Decision:
    """双审批: first the department (its chief representative; the director for clerks and chiefs), then
    the center (a supervisor or administrator who did not give the first approval). Nobody approves his own."""
    if actor.id == requester_id:
        return _refused(Forbidden("不能审批本人的请假 (nobody approves his own leave)", field="leave_id"))
    if state == "requested":
        if leave_department_approver_is_director(requester_role, requester_department):
            if not holds_role(actor, (DIRECTOR,)):
                return _refused(Forbidden("此请假的部门审批由中心主任进行 (the director gives this leave's "
                                          "department approval)", field="leave_id"))
        elif not (holds_role(actor, (CHIEF,)) and actor.department_code == requester_department):
            return _refused(Forbidden("部门审批须由本部门首席代表进行 (the department's chief representative "
                                      "approves first)", field="leave_id"))
        return ALLOWED
    if state == "department_approved":
        if not holds_role(actor, CENTER_LEAVE_APPROVERS):
            return _refused(Forbidden("中心审批须由督查人员或管理员进行；部门审批已完成 (the center's approval is a "
                                      "supervisor's or administrator's)", field="leave_id"))
        if actor.id == department_approver_id:
            return _refused(Forbidden("部门审批人不能再作中心审批 (who approved for the department does not also "
                                      "approve for the center)", field="leave_id"))
        return ALLOWED
    return _refused(Conflict(f"请假已处于 {state} 状态，无需审批 (the leave is {state}: nothing to approve)",
                             field="leave_id"))


def may_refuse_leave(actor: Actor, state: str, **requester) -> Decision:
    """A stage refuses (不予批准) who may approve it: the department's approver before the department
    approved, the center's after."""
    if state not in ("requested", "department_approved"):
        return _refused(Conflict(f"请假已处于 {state} 状态，不能不予批准 (the leave is {state}: only a leave waiting "
                                 "for approval is refused)", field="leave_id"))
    return may_approve_leave(actor, state, **requester)


def may_withdraw_leave(actor: Actor, requester_id: int, state: str) -> Decision:
    """The requester withdraws (撤回) his own leave until the center has approved it."""
    if actor.id != requester_id:
        return _refused(Forbidden("只有请假人本人可以撤回 (only the requester withdraws his leave)", field="leave_id"))
    if state not in ("requested", "department_approved"):
        return _refused(Conflict(f"请假已处于 {state} 状态，不能撤回 (the leave is {state}: only a leave not yet "
                                 "approved is withdrawn)", field="leave_id"))
    return ALLOWED


def may_see_leave(actor: Actor, requester_id: int, requester_department: str | None) -> Decision:
    """A leave is read by the person, the center (supervisors, the director) and his department's chief."""
    if actor.id == requester_id or supervises(actor) or holds_role(actor, (DIRECTOR,)):
        return ALLOWED
    if holds_role(actor, (CHIEF,)) and requester_department is not None and actor.department_code == requester_department:
        return ALLOWED
    return _refused(Forbidden("只能查看本人或本部门的请假 (only your own or your department's leave)", field="leave_id"))


def may_return_from_leave(actor: Actor, requester_id: int) -> Decision:
    """销假: the person himself when he is back, or the center for him."""
    if actor.id == requester_id or supervises(actor):
        return ALLOWED
    return _refused(Forbidden("只有本人或督查人员可以销假 (only the person or a supervisor records the return)",
                              field="leave_id"))


# -- cases -----------------------------------------------------------------------------

def may_view_case(session: Session, actor: Actor, case: Case) -> Decision:
    """The window, supervisors and admins see every case; the back office sees its own
    department's cases and those of items it co-reviews (联办件); a B post also those of the
    absent A posts it covers today (AB岗)."""
    departments = {actor.department_code} | {cover.department_code for cover in actor.covering}
    if not in_back_office(actor) or case.department_code in departments:
        return ALLOWED
    co_reviewing = session.scalar(select(ItemCoDepartment.department_code).where(
        ItemCoDepartment.item_code == case.item_code, ItemCoDepartment.department_code.in_(departments - {None})))
    if co_reviewing is None:
        return _refused(Forbidden(f"办件 {case.number} 属于 {case.department_code} 部门，您无权查看 "
                                  f"(case {case.number} belongs to department {case.department_code})",
                                  field="case_number"))
    return ALLOWED


def check_may_view_case(session: Session, actor: Actor, case: Case) -> None:
    may_view_case(session, actor, case).check()


def opinion_scope(actor: Actor) -> str | None:
    """Whose countersigned opinions ``actor`` reads: None (all) for the window, supervisors and
    admins; the back office its own department's (the lead department's reads all)."""
    return actor.department_code if in_back_office(actor) else None


def may_act_on_clock(actor: Actor, case: Case, open_rows: list[HumanTask]) -> Decision:
    """Stop the clock or ask for an extension: the back office of the department the case is with,
    on a step whose model declares ``clock: stoppable``."""
    if not in_back_office(actor):
        return _refused(Forbidden("只有后台审批人员和首席代表可以暂停计时或申请延期 "
                                  "(only back-office approvers and chief representatives act on the clock)",
                                  field="role"))
    back_office = [row for row in open_rows if row.clock == CLOCK_STOPPABLE]
    if not back_office:
        return _refused(Conflict(f"办件 {case.number} 当前环节（{case.stage or case.status}）不能暂停计时或申请延期 "
                                 f"(case {case.number} is at no step whose clock may stop)",
                                 field="case_number"))
    if not any(row.department_code == actor.department_code for row in back_office):
        return _refused(Forbidden(f"办件 {case.number} 不在 {actor.department_code} 部门办理 "
                                  f"(case {case.number} is not with department {actor.department_code})",
                                  field="case_number"))
    return ALLOWED


# -- tasks -----------------------------------------------------------------------------

def _may_act_as(role: str, department_code: str | None, row: HumanTask) -> bool:
    if role == DIRECTOR and row.approves_request:
        return True  # the head of the center decides what a department's chief may not (party to it)
    return role in ACTING_ROLES.get(row.role, ()) and row.department_code in (None, department_code)


def acting_for(actor: Actor, row: HumanTask) -> Cover | None:
    """The absent A post whose work ``row`` is, when the actor sees it only as their B post (AB岗)."""
    if row.assignee_id is not None and row.assignee_id != actor.id:
        return actor.cover_for(row.assignee_id)
    if any(_may_act_as(role, actor.department_code, row) for role in actor.roles):
        return None
    return next((cover for cover in actor.covering if _may_act_as(cover.role, cover.department_code, row)), None)


def may_see_task(actor: Actor, row: HumanTask) -> Decision:
    """The task is for the actor's role and department (or for an A post they cover today)."""
    if any(_may_act_as(cover.role, cover.department_code, row) for cover in actor.covering):
        return ALLOWED  # a B post acts as the absent A would
    if any(_may_act_as(role, actor.department_code, row) for role in actor.roles):
        return ALLOWED
    if not holds_role(actor, ACTING_ROLES.get(row.role, ())):
        return _refused(Forbidden(f"待办事项「{row.name}」不属于您的岗位 "
                                  f"(the task is for {row.role} staff, not a {actor.role})", field="task_id"))
    if row.department_code is not None and actor.department_code != row.department_code:
        return _refused(Forbidden(f"待办事项「{row.name}」属于 {row.department_code} 部门 "
                                  f"(the task belongs to department {row.department_code})", field="task_id"))
    return ALLOWED


def _open(row: HumanTask) -> Decision:
    if row.state != OPEN:
        return _refused(Conflict(f"待办事项「{row.name}」已{STATE_WORDS.get(row.state, row.state)}，不能再办理 "
                                 f"(the task is already {row.state})", field="task_id"))
    return ALLOWED


def _held_by_covered(actor: Actor, row: HumanTask) -> bool:
    return row.assignee_id is not None and actor.cover_for(row.assignee_id) is not None


def _not_party(actor: Actor, row: HumanTask) -> Decision:
    """Nobody approves his own request: neither who made it nor who held the case when it was made."""
    if row.is_party(actor.id):
        return _refused(Forbidden(f"申请人或承办人不能审批自己提出的申请：'{row.name}' 由本部门其他首席代表或中心主任审批 "
                                  "(nobody approves a request he made or a case he holds: the approval goes to "
                                  "another chief representative or the director)", field="task_id"))
    return ALLOWED


def may_claim(actor: Actor, row: HumanTask) -> Decision:
    first = _first_refusal(may_see_task(actor, row), _open(row), _not_party(actor, row))
    if not first:
        return first
    if row.assignee_id == actor.id:
        return _refused(Conflict(f"您已认领待办事项「{row.name}」 (the task is already claimed by you)", field="task_id"))
    # A B post takes over a task its absent A holds; anyone else's is theirs.
    if row.assignee_id is not None and not _held_by_covered(actor, row):
        return _refused(Conflict(f"该待办事项「{row.name}」已被他人认领 (the task is already claimed by someone else)",
                                 field="task_id"))
    return ALLOWED


def may_unclaim(actor: Actor, row: HumanTask) -> Decision:
    first = _first_refusal(may_see_task(actor, row), _open(row))
    if not first:
        return first
    if row.assignee_id is None:
        return _refused(Conflict(f"待办事项「{row.name}」尚未被认领 (the task is not claimed)", field="task_id"))
    # A chief representative may release a colleague's task to reassign it.
    if row.assignee_id != actor.id and not holds_role(actor, (CHIEF,)) and not _held_by_covered(actor, row):
        return _refused(Forbidden(f"只有认领人或首席代表可以退回待办事项「{row.name}」 "
                                  "(only the assignee or the chief representative may release the task)",
                                  field="task_id"))
    return ALLOWED


def may_complete(actor: Actor, row: HumanTask) -> Decision:
    first = _first_refusal(may_see_task(actor, row), _open(row), _not_party(actor, row))
    if not first:
        return first
    if row.assignee_id is not None and row.assignee_id != actor.id and not _held_by_covered(actor, row):
        return _refused(Conflict(f"该待办事项「{row.name}」已被他人认领 (the task is claimed by someone else)", field="task_id"))
    if row.claim_required and row.assignee_id is None:
        return _refused(Forbidden(f"请先认领待办事项「{row.name}」再办理 (the task must be claimed before it is completed)",
                                  field="task_id"))
    return ALLOWED


def _first_refusal(*decisions: Decision) -> Decision:
    return next((decision for decision in decisions if not decision), ALLOWED)


@dataclass(frozen=True)
class TaskActions:
    """What the actor may do with one task now, each with its refusal."""

    claim: Decision
    unclaim: Decision
    complete: Decision

    def flags(self) -> dict[str, bool]:
        return {"claim": self.claim.allowed, "unclaim": self.unclaim.allowed, "complete": self.complete.allowed}


def task_actions(actor: Actor, row: HumanTask) -> TaskActions:
    return TaskActions(claim=may_claim(actor, row), unclaim=may_unclaim(actor, row),
                       complete=may_complete(actor, row))


def next_task_of(actor: Actor, open_rows: list[HumanTask]) -> HumanTask | None:
    """The open task the actor goes on with after a step: one they may see that is theirs or unclaimed."""
    return next((row for row in open_rows if may_see_task(actor, row) and row.assignee_id in (None, actor.id)),
                None)


# -- enquiries (首问负责, 咨询) -----------------------------------------------------------

def may_register_enquiry(actor: Actor) -> Decision:
    """Whoever is asked first at the window or on the phone registers it and is its 首问责任人: the case workers."""
    if actor.id is None or not holds_role(actor, CASE_WORKERS):
        return _refused(Forbidden("只有窗口与后台工作人员可以登记咨询 (only case workers register enquiries)",
                                  field="role"))
    return ALLOWED


def _holds_enquiry(actor: Actor, first_staff_id: int | None, department_code: str | None) -> bool:
    """The 首问 person, and the approvers and chief of the department it is referred to."""
    if actor.id is not None and actor.id == first_staff_id:
        return True
    return department_code is not None and in_back_office(actor) and actor.department_code == department_code


def may_see_enquiry(actor: Actor, first_staff_id: int | None, departments: set[str]) -> Decision:
    """``departments``: every department the enquiry is or was referred to. Supervisors see every enquiry."""
    if supervises(actor) or (actor.id is not None and actor.id == first_staff_id):
        return ALLOWED
    if in_back_office(actor) and actor.department_code in departments:
        return ALLOWED
    return _refused(Forbidden("只能查看本人首问或转办本部门的咨询 (only enquiries you were first asked or referred "
                              "to your department)", field="enquiry_id"))


def may_handle_enquiry(actor: Actor, state: str, first_staff_id: int | None, department_code: str | None) -> Decision:
    """Answer or refer on (转办): the 首问 person, who follows it up until it is answered, or the department
    it is referred to; an answered enquiry is done."""
    if state == "answered":
        return _refused(Conflict("该咨询已答复 (the enquiry is answered already)", field="enquiry_id"))
    if not _holds_enquiry(actor, first_staff_id, department_code):
        return _refused(Forbidden("只有首问责任人或受转办部门可以答复或转办 (only the person first asked or the "
                                  "department it is referred to answers or refers it)", field="enquiry_id"))
    return ALLOWED


@dataclass(frozen=True)
class EnquiryScope:
    """Which enquiries a list holds: every one (both None), a department's (referred there, now or
    before) and the person's own 首问 ones, or only the person's own."""

    department_code: str | None = None
    staff_id: int | None = None


def enquiry_scope(actor: Actor) -> EnquiryScope:
    """Supervisors every enquiry; approvers and chiefs their department's and their own; clerks their own."""
    if supervises(actor):
        return EnquiryScope()
    if in_back_office(actor):
        return EnquiryScope(department_code=actor.department_code, staff_id=actor.id)
    if holds_role(actor, CASE_WORKERS):
        return EnquiryScope(staff_id=actor.id)
    raise Forbidden("无权查看咨询登记 (you may not read the enquiries)", field="role")


# -- appointments (预约, seed 004 篇一 第十五条) ---------------------------------------------

def may_book_for_applicant(actor: Actor) -> Decision:
    """By phone or in person, a window clerk books for the applicant (online he books himself)."""
    if not holds_role(actor, (CLERK,)):
        return _refused(Forbidden("只有窗口受理人员可以代为预约 (only window clerks book for an applicant)",
                                  field="role"))
    return ALLOWED


def may_read_appointments(actor: Actor) -> Decision:
    """The windows' lists of the day: the clerks who receive the applicants, and the supervisors."""
    if not (holds_role(actor, (CLERK,)) or supervises(actor)):
        return _refused(Forbidden("只有窗口受理人员和督查人员查看预约 (only window clerks and supervisors see "
                                  "appointments)", field="role"))
    return ALLOWED


def may_handle_appointment(actor: Actor) -> Decision:
    """Marking an applicant arrived or absent (未到场) is the receiving window's."""
    if not holds_role(actor, (CLERK,)):
        return _refused(Forbidden("只有窗口受理人员可以登记到场或未到场 (only window clerks record arrivals and "
                                  "no-shows)", field="role"))
    return ALLOWED


def may_configure_appointments(actor: Actor) -> Decision:
    """The windows' slots and their places are part of the center's setup."""
    return may_administer(actor)


# -- online pre-applications and the service accounts that post them ----------------------

def may_handle_pre_applications(actor: Actor) -> Decision:
    """The window's clerks read the platform's pre-applications (待接件), register or reject them."""
    if not holds_role(actor, PRE_APPLICATION_DESK):
        return _refused(Forbidden("只有窗口受理人员可以处理网上预申请 (only window clerks handle online "
                                  "pre-applications)", field="role"))
    return ALLOWED


def may_manage_service_accounts(actor: Actor) -> Decision:
    """Service accounts are the administrator's, or the server's own command line (the system)."""
    if actor.id is None and actor.role == "system":
        return ALLOWED
    if not holds_role(actor, SERVICE_ACCOUNT_ADMINS):
        return _refused(Forbidden("只有系统管理员可以管理服务账户 (only the system administrator manages service "
                                  "accounts)", field="role"))
    return ALLOWED


# -- the outbox ------------------------------------------------------------------------

def may_resend_notifications(actor: Actor) -> Decision:
    """Sending a given-up notification again runs the center's connections to the outside
    (SMS gateway, mail server, subscribed systems): the administrator's, like the settings they
    come from. Supervisors read the outbox (NOTIFICATION_READERS) but do not send."""
    if not holds_role(actor, ADMINISTERING):
        return _refused(Forbidden("只有系统管理员可以重新发送通知 (only the system administrator sends a "
                                  "notification again)", field="role"))
    return ALLOWED
