"""The window's JSON API: the catalogue, registering an application, cases, their history
and the notice they are owed. Same rules as the pages (web.cases.views)."""

from functools import wraps

from flask import request

from web.access import current_actor, require
from web.api import api_blueprint
from web.cases import back_office, back_office_schemas, schemas, service
from web.cases.views import VIEWERS

blp = api_blueprint("cases_api", __name__, "/cases",
                    "The service catalogue; register an application at the window; find cases and the clerk's own; "
                    "a case with its materials, history and the notice it is owed (受理通知书, 一次性告知书, 不予受理通知书); "
                    "the back office's clock (暂停计时, 延期), countersigned opinions, 容缺 commitments and the parcel")


@blp.route("/items")
@require()
@blp.response(200, schemas.CatalogueItem(many=True))
def items():
    """The active service items, by department and code."""
    return [item for _department, group in service.catalogue() for item in group]


@blp.route("/items/<item_code>")
@require()
@blp.response(200, schemas.CatalogueItemDetail)
def item(item_code):
    """A service item with its materials, limits, delivery options and intake form."""
    found, form = service.intake_form(item_code)
    return {"item": found, "intake_form": form}


@blp.route("", methods=["POST"])
@require("clerk")
@blp.arguments(schemas.NewCase)
@blp.response(201, schemas.CaseRecord)
@blp.doc(parameters=[{
    "in": "header", "name": "Idempotency-Key", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[\\x21-\\x7e]+$"},
    "description": "One key per application (e.g. a UUID): a retry with the same key and body answers with the "
                   "case the first request made, never a second case; the same key with another body is a 422."}])
def create(application):
    """Register an application and run its intake; the answer says which notice is due.

    A refused field is named in ``field`` (``applicant.id_number``, ``rejection_reasons`` …);
    nothing is created then. Send an ``Idempotency-Key`` so that a retried request cannot
    register the application twice.
    """
    actor = current_actor()
    case = service.register(actor, application["item_code"], application["applicant"], application["intake"],
                            request.headers.get("Idempotency-Key"))
    return service.case_view(actor, case.number)


@blp.route("")
@require("clerk")
@blp.arguments(schemas.CaseListQuery, location="query")
@blp.response(200, schemas.CaseList)
def cases(query):
    """``mine=true``: the cases I registered, newest first, 50 a page; ``q``: find by case or ID number."""
    if query.get("q"):
        found = service.find(query["q"])
        return {"page": 1, "page_size": service.PAGE_SIZE, "total": len(found), "cases": found}
    mine, total = service.my_cases(current_actor(), query["page"])
    return {"page": query["page"], "page_size": service.PAGE_SIZE, "total": total, "cases": mine}


@blp.route("/<number>")
@require(*VIEWERS)
@blp.response(200, schemas.CaseRecord)
def case(number):
    """A case: applicant, item, materials, dates, deadline state, open tasks, the notice due."""
    return service.case_view(current_actor(), number)


@blp.route("/<number>/history")
@require(*VIEWERS)
@blp.response(200, schemas.CaseHistoryEntry(many=True))
def history(number):
    """Every audited action on the case: who, what, status before and after, when (China time)."""
    return service.history(current_actor(), number)


@blp.route("/<number>/notice")
@require(*VIEWERS)
@blp.response(200, schemas.CaseNotice)
def notice(number):
    """The data of the notice the case is owed now; 404 when none is due yet."""
    return service.notice(current_actor(), number)


# -- the back office: the clock, opinions, commitments, the parcel ----------------------------

def case_in_reach(view):
    """Refuse a case the caller may not see (403) before its request body is read (which could say 422)."""
    @wraps(view)
    def guarded(*args, **kwargs):
        service.viewable_case(current_actor(), kwargs["number"])
        return view(*args, **kwargs)
    return guarded


@blp.route("/<number>/suspensions", methods=["POST"])
@require("approver", "chief")
@case_in_reach
@blp.arguments(back_office_schemas.SuspensionRequest)
@blp.response(201, back_office_schemas.CaseClockRecord)
def suspend(request_body, number):
    """Stop the case's clock (第45条); only while it is with the caller's department in back office (else 409)."""
    return back_office.suspend(current_actor(), number, request_body["kind"], request_body["reason"])


@blp.route("/<number>/suspensions/end", methods=["POST"])
@require("approver", "chief")
@case_in_reach
@blp.arguments(back_office_schemas.SuspensionEnd)
@blp.response(200, back_office_schemas.CaseClockRecord)
def end_suspension(request_body, number):
    """Let the clock run again: the suspended working days move the due date (409 when not suspended)."""
    return back_office.end_suspension(current_actor(), number, request_body["note"])


@blp.route("/<number>/extensions", methods=["POST"])
@require("approver", "chief")
@case_in_reach
@blp.arguments(back_office_schemas.ExtensionRequest)
@blp.response(201, back_office_schemas.CaseClockRecord)
def request_extension(request_body, number):
    """Ask the chief representative to extend the limit once (第42条); 409 while one waits or once granted."""
    return back_office.request_extension(current_actor(), number, request_body["reason"])


@blp.route("/<number>/clock")
@require(*VIEWERS)
@blp.response(200, back_office_schemas.CaseClockRecord)
def clock(number):
    """The due date with every suspension and extension that moved it."""
    return back_office.clock(current_actor(), number)


@blp.route("/<number>/opinions")
@require(*VIEWERS)
@blp.response(200, back_office_schemas.CaseOpinion(many=True))
def opinions(number):
    """Countersigned opinions of a joint case: a co-reviewing department reads only its own."""
    return back_office.opinions(current_actor(), number)


@blp.route("/<number>/commitments")
@require(*VIEWERS)
@blp.response(200, back_office_schemas.CaseCommitment(many=True))
def commitments(number):
    """Materials accepted on the applicant's written commitment (容缺受理) and their state."""
    return back_office.commitments(current_actor(), number)


@blp.route("/<number>/parcel")
@require(*VIEWERS)
@blp.response(200, back_office_schemas.CaseParcel)
def parcel(number):
    """The parcel carrying the result (一事一寄); 404 when the result was not posted."""
    return back_office.parcel(current_actor(), number)
