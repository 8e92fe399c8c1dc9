"""Rules of the applicant's side of the center: enquiries (首问负责), appointments (预约), the
provincial platform's pre-applications and service accounts, the outbox's notifications."""

from dataclasses import dataclass

from engine.actor import Actor
from engine.errors import Conflict, Forbidden
from engine.permissions.decision import ALLOWED, Decision, holds_role, refused, supervises
from engine.permissions.staff import in_back_office, may_administer
from engine.roles import (
    ADMINISTERING,
    CASE_WORKERS,
    CLERK,
    PRE_APPLICATION_DESK,
    SERVICE_ACCOUNT_ADMINS,
)

# -- enquiries (首问负责, 咨询) -----------------------------------------------------------

def may_register_enquiry(actor: Actor) -> Decision:
    """Whoever is asked first at the window or on the phone registers it and is its 首问责任人: the case workers."""
    if actor.id is None or not holds_role(actor, CASE_WORKERS):
        return refused(Forbidden("只有窗口与后台工作人员可以登记咨询 (only case workers register enquiries)",
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
    return refused(Forbidden("只能查看本人首问或转办本部门的咨询 (only enquiries you were first asked or referred "
                             "to your department)", field="enquiry_id"))


def may_handle_enquiry(actor: Actor, state: str, first_staff_id: int | None, department_code: str | None) -> Decision:
    """Answer or refer on (转办): the 首问 person, who follows it up until it is answered, or the department
    it is referred to; an answered enquiry is done."""
    if state == "answered":
        return refused(Conflict("该咨询已答复 (the enquiry is answered already)", field="enquiry_id"))
    if not _holds_enquiry(actor, first_staff_id, department_code):
        return refused(Forbidden("只有首问责任人或受转办部门可以答复或转办 (only the person first asked or the "
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
        return refused(Forbidden("只有窗口受理人员可以代为预约 (only window clerks book for an applicant)",
                                 field="role"))
    return ALLOWED


def may_read_appointments(actor: Actor) -> Decision:
    """The windows' lists of the day: the clerks who receive the applicants, and the supervisors."""
    if not (holds_role(actor, (CLERK,)) or supervises(actor)):
        return refused(Forbidden("只有窗口受理人员和督查人员查看预约 (only window clerks and supervisors see "
                                 "appointments)", field="role"))
    return ALLOWED


def may_handle_appointment(actor: Actor) -> Decision:
    """Marking an applicant arrived or absent (未到场) is the receiving window's."""
    if not holds_role(actor, (CLERK,)):
        return refused(Forbidden("只有窗口受理人员可以登记到场或未到场 (only window clerks record arrivals and "
                                 "no-shows)", field="role"))
    return ALLOWED


def may_configure_appointments(actor: Actor) -> Decision:
    """The windows' slots and their places are part of the center's setup."""
    return may_administer(actor)


# -- online pre-applications and the service accounts that post them ----------------------

def may_handle_pre_applications(actor: Actor) -> Decision:
    """The window's clerks read the platform's pre-applications (待接件), register or reject them."""
    if not holds_role(actor, PRE_APPLICATION_DESK):
        return refused(Forbidden("只有窗口受理人员可以处理网上预申请 (only window clerks handle online "
                                 "pre-applications)", field="role"))
    return ALLOWED


def may_manage_service_accounts(actor: Actor) -> Decision:
    """Service accounts are the administrator's, or the server's own command line (the system)."""
    if actor.id is None and actor.role == "system":
        return ALLOWED
    if not holds_role(actor, SERVICE_ACCOUNT_ADMINS):
        return refused(Forbidden("只有系统管理员可以管理服务账户 (only the system administrator manages service "
                                 "accounts)", field="role"))
    return ALLOWED


# -- the outbox ------------------------------------------------------------------------

def may_resend_notifications(actor: Actor) -> Decision:
    """Sending a given-up notification again runs the center's connections to the outside
    (SMS gateway, mail server, subscribed systems): the administrator's, like the settings they
    come from. Supervisors read the outbox (NOTIFICATION_READERS) but do not send."""
    if not holds_role(actor, ADMINISTERING):
        return refused(Forbidden("只有系统管理员可以重新发送通知 (only the system administrator sends a "
                                 "notification again)", field="role"))
    return ALLOWED
