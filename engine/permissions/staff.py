"""Rules of the staff's own areas: tokens and sign-in, the board, registers and reports, attendance
and leave, administration."""

from collections.abc import Callable
from dataclasses import dataclass

from engine.actor import Actor
from engine.errors import Conflict, Forbidden
from engine.permissions.decision import (
    ALLOWED,
    Decision,
    holds_role,
    refused,
    supervises,
)
from engine.roles import (
    ADMIN,
    ADMINISTERING,
    BOARD_READERS,
    CASE_WORKERS,
    CENTER_LEAVE_APPROVERS,
    CHIEF,
    CLERK,
    DEPARTMENT_ROLES,
    DIRECTOR,
)

# -- sign-in and API tokens ------------------------------------------------------------

def may_end_token(actor: Actor, owner_id: int) -> bool:
    """A person ends his own tokens; an administrator anyone's."""
    return actor.id == owner_id or actor.role == ADMIN


def may_end_tokens_of_others(actor: Actor) -> Decision:
    if actor.role != ADMIN:
        return refused(Forbidden("只有系统管理员可以注销他人的令牌 (only an administrator ends another person's tokens)",
                                 field="role"))
    return ALLOWED


def may_see_sign_in_attacks(actor: Actor) -> Decision:
    """Supervisors and administrators are told of repeated failed sign-ins (guessing, lockout attempts)."""
    if not supervises(actor):
        return refused(Forbidden("只有督查人员可以查看登录失败记录 (only supervisors see failed sign-ins)", field="role"))
    return ALLOWED


def may_contest_rating(actor: Actor, department_code: str) -> Decision:
    """申诉复核 (国办发〔2019〕51号): the chief representative of the rated case's department contests."""
    if not holds_role(actor, (CHIEF,)):
        return refused(Forbidden("只有部门首席代表可以对差评申诉 (only a chief representative contests a rating)",
                                 field="role"))
    if actor.department_code != department_code:
        return refused(Forbidden(f"只能对本部门办件的评价申诉 (the case belongs to department {department_code})",
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
        return refused(Forbidden("只有窗口受理人员可以登记申请 (only window clerks register applications)", field="role"))
    return ALLOWED


def sees_full_numbers(actor: Actor) -> bool:
    """Only the window, which checks identity and calls the applicant, reads whole ID and phone numbers."""
    return holds_role(actor, (CLERK,))


def may_administer(actor: Actor) -> Decision:
    """The center's administration — accounts, staff, windows and posts, the catalogue, the
    calendar, process versions and scoring rules — is the system administrator's (系统管理员)."""
    if not holds_role(actor, ADMINISTERING):
        return refused(Forbidden("只有系统管理员可以管理中心设置与账户 (only the system administrator "
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
        return refused(Forbidden("只有督查人员和首席代表可以查看统计报表 (only supervisors and chief "
                                 "representatives read the statistics)", field="role"))
    return ALLOWED


# -- attendance and leave (考勤, 请销假) --------------------------------------------------

def keeps_attendance(actor: Actor) -> Decision:
    """Attendance is kept for the people who work cases (the ledger scores them); each signs for himself."""
    if actor.id is None or not holds_role(actor, CASE_WORKERS):
        return refused(Forbidden("考勤只记窗口与后台工作人员 (attendance is kept for case workers only)", field="role"))
    return ALLOWED


def may_manage_attendance(actor: Actor) -> Decision:
    """The day's sheet, the punch clock's import, the weekly bulletin and the computation: the center's."""
    if not supervises(actor):
        return refused(Forbidden("只有中心督查人员管理考勤 (only supervisors manage attendance)", field="role"))
    return ALLOWED


def attendance_scope(actor: Actor, staff_id: int | None, staff_department: str | None) -> Decision:
    """Whose attendance the actor reads: supervisors anyone's, a chief representative his department's,
    everyone his own."""
    if supervises(actor) or staff_id == actor.id:
        return ALLOWED
    if staff_id is not None and holds_role(actor, (CHIEF,)) and staff_department == actor.department_code:
        return ALLOWED
    return refused(Forbidden("只能查看本人的考勤 (only your own attendance)", field="staff"))


def leave_department_approver_is_director(requester_role: str, requester_department: str | None) -> bool:
    """A clerk of the comprehensive windows has no department, and a chief representative may not approve
    his own leave: the director (中心主任) gives their department approval."""
    return requester_department is None or requester_role == CHIEF


def may_approve_leave(actor: Actor, state: str, *, requester_id: int, requester_role: str,
                      requester_department: str | None, department_approver_id: int | None) -> Decision:
    """双审批: first the department (its chief representative; the director for clerks and chiefs), then
    the center (a supervisor or administrator who did not give the first approval). Nobody approves his own."""
    if actor.id == requester_id:
        return refused(Forbidden("不能审批本人的请假 (nobody approves his own leave)", field="leave_id"))
    if state == "requested":
        if leave_department_approver_is_director(requester_role, requester_department):
            if not holds_role(actor, (DIRECTOR,)):
                return refused(Forbidden("此请假的部门审批由中心主任进行 (the director gives this leave's "
                                         "department approval)", field="leave_id"))
        elif not (holds_role(actor, (CHIEF,)) and actor.department_code == requester_department):
            return refused(Forbidden("部门审批须由本部门首席代表进行 (the department's chief representative "
                                     "approves first)", field="leave_id"))
        return ALLOWED
    if state == "department_approved":
        if not holds_role(actor, CENTER_LEAVE_APPROVERS):
            return refused(Forbidden("中心审批须由督查人员或管理员进行；部门审批已完成 (the center's approval is a "
                                     "supervisor's or administrator's)", field="leave_id"))
        if actor.id == department_approver_id:
            return refused(Forbidden("部门审批人不能再作中心审批 (who approved for the department does not also "
                                     "approve for the center)", field="leave_id"))
        return ALLOWED
    return refused(Conflict(f"请假已处于 {state} 状态，无需审批 (the leave is {state}: nothing to approve)",
                            field="leave_id"))


def may_refuse_leave(actor: Actor, state: str, **requester) -> Decision:
    """A stage refuses (不予批准) who may approve it: the department's approver before the department
    approved, the center's after."""
    if state not in ("requested", "department_approved"):
        return refused(Conflict(f"请假已处于 {state} 状态，不能不予批准 (the leave is {state}: only a leave waiting "
                                "for approval is refused)", field="leave_id"))
    return may_approve_leave(actor, state, **requester)


def may_withdraw_leave(actor: Actor, requester_id: int, state: str) -> Decision:
    """The requester withdraws (撤回) his own leave until the center has approved it."""
    if actor.id != requester_id:
        return refused(Forbidden("只有请假人本人可以撤回 (only the requester withdraws his leave)", field="leave_id"))
    if state not in ("requested", "department_approved"):
        return refused(Conflict(f"请假已处于 {state} 状态，不能撤回 (the leave is {state}: only a leave not yet "
                                "approved is withdrawn)", field="leave_id"))
    return ALLOWED


def may_see_leave(actor: Actor, requester_id: int, requester_department: str | None) -> Decision:
    """A leave is read by the person, the center (supervisors, the director) and his department's chief."""
    if actor.id == requester_id or supervises(actor) or holds_role(actor, (DIRECTOR,)):
        return ALLOWED
    if holds_role(actor, (CHIEF,)) and requester_department is not None and actor.department_code == requester_department:
        return ALLOWED
    return refused(Forbidden("只能查看本人或本部门的请假 (only your own or your department's leave)", field="leave_id"))


def may_return_from_leave(actor: Actor, requester_id: int) -> Decision:
    """销假: the person himself when he is back, or the center for him."""
    if actor.id == requester_id or supervises(actor):
        return ALLOWED
    return refused(Forbidden("只有本人或督查人员可以销假 (only the person or a supervisor records the return)",
                             field="leave_id"))


