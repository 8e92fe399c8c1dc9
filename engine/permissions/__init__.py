"""What an actor may do: the one place these rules live, one module per area.

Every rule answers with a ``Decision``: allowed, or refused with the error that says why.
Engine actions ``check()`` it under the case's lock; pages and the API ask the same rules
which buttons to show and which pages to open, so a button and its action never disagree.
``from engine import permissions`` gives every rule of the package.
"""

from engine.permissions.cases import (  # noqa: F401
    TaskActions,
    acting_for,
    check_may_view_case,
    may_act_on_clock,
    may_claim,
    may_complete,
    may_see_task,
    may_unclaim,
    may_view_case,
    next_task_of,
    opinion_scope,
    task_actions,
)
from engine.permissions.decision import (  # noqa: F401
    ALLOWED,
    STATE_WORDS,
    Decision,
    holds_role,
    require_supervisor,
    supervises,
)
from engine.permissions.front_desk import (  # noqa: F401
    EnquiryScope,
    enquiry_scope,
    may_book_for_applicant,
    may_configure_appointments,
    may_handle_appointment,
    may_handle_enquiry,
    may_handle_pre_applications,
    may_manage_service_accounts,
    may_read_appointments,
    may_register_enquiry,
    may_resend_notifications,
    may_see_enquiry,
)
from engine.permissions.staff import (  # noqa: F401
    CaseScope,
    attendance_scope,
    board_department,
    case_scope,
    home_area,
    in_back_office,
    keeps_attendance,
    leave_department_approver_is_director,
    may_administer,
    may_approve_leave,
    may_contest_rating,
    may_end_token,
    may_end_tokens_of_others,
    may_manage_attendance,
    may_read_reports,
    may_refuse_leave,
    may_register,
    may_return_from_leave,
    may_see_leave,
    may_see_sign_in_attacks,
    may_withdraw_leave,
    refusal_register_department,
    sees_full_numbers,
)
