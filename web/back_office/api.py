"""The back office's JSON API on a case: its clock (暂停计时, 延期), countersigned opinions,
容缺 commitments and the parcel. Same rules as the task pages (web.tasks.views)."""

from engine.roles import ROLES
from web.access import case_checked_first, current_actor, require
from web.api import api_blueprint
from web.back_office import schemas, service
from web.window.service import viewable_case

# The paths stay under /cases/<number>/…: outside clients use them.
blp = api_blueprint("back_office_api", __name__, "/cases",
                    "The back office's records of a case: the clock (暂停计时, 延期), countersigned opinions, "
                    "容缺 commitments and the parcel")


# A case the caller may not see is refused before its request body is read.
case_in_reach = case_checked_first(viewable_case)


@blp.route("/<number>/suspensions", methods=["POST"])
@require("approver", "chief")
@case_in_reach
@blp.arguments(schemas.SuspensionRequest)
@blp.response(201, schemas.CaseClockRecord)
def suspend(request_body, number):
    """Stop the case's clock (第45条); only while it is with the caller's department in back office (else 409)."""
    return service.suspend(current_actor(), number, request_body["kind"], request_body["reason"])


@blp.route("/<number>/suspensions/end", methods=["POST"])
@require("approver", "chief")
@case_in_reach
@blp.arguments(schemas.SuspensionEnd)
@blp.response(200, schemas.CaseClockRecord)
def end_suspension(request_body, number):
    """Let the clock run again: the suspended working days move the due date (409 when not suspended)."""
    return service.end_suspension(current_actor(), number, request_body["note"])


@blp.route("/<number>/extensions", methods=["POST"])
@require("approver", "chief")
@case_in_reach
@blp.arguments(schemas.ExtensionRequest)
@blp.response(201, schemas.CaseClockRecord)
def request_extension(request_body, number):
    """Ask the chief representative to extend the limit once (第42条); 409 while one waits or once granted."""
    return service.request_extension(current_actor(), number, request_body["reason"])


@blp.route("/<number>/clock")
@require(*ROLES)
@blp.response(200, schemas.CaseClockRecord)
def clock(number):
    """The due date with every suspension and extension that moved it."""
    return service.clock(current_actor(), number)


@blp.route("/<number>/opinions")
@require(*ROLES)
@blp.response(200, schemas.CaseOpinion(many=True))
def opinions(number):
    """Countersigned opinions of a joint case: a co-reviewing department reads only its own."""
    return service.opinions(current_actor(), number)


@blp.route("/<number>/commitments")
@require(*ROLES)
@blp.response(200, schemas.CaseCommitment(many=True))
def commitments(number):
    """Materials accepted on the applicant's written commitment (容缺受理) and their state."""
    return service.commitments(current_actor(), number)


@blp.route("/<number>/parcel")
@require(*ROLES)
@blp.response(200, schemas.CaseParcel)
def parcel(number):
    """The parcel carrying the result (一事一寄); 404 when the result was not posted."""
    return service.parcel(current_actor(), number)
