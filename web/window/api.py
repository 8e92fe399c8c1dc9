"""The window's JSON API: the catalogue, registering an application, cases, their history
and the notices they were given. Same rules as the pages (web.window.views)."""

from flask import Response, request

from engine.permissions import may_register
from engine.roles import ROLES
from web.access import current_actor, require
from web.api import api_blueprint
from web.case_register import service as register
from web.case_register.schemas import XLSX, RegisterListQuery
from web.case_register.service import XLSX_TYPE
from web.case_register.views import READERS as REGISTER_READERS
from web.window import schemas, service

blp = api_blueprint("cases_api", __name__, "/cases",
                    "The service catalogue; register an application at the window; find cases and the clerk's own; "
                    "a case with its materials, history and the notices it was given (受理通知书, 一次性告知书, 不予受理通知书, "
                    "暂停计时告知书, 延期告知书, 行政许可决定书, 送达回证)")


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
@require(*REGISTER_READERS)
@blp.arguments(RegisterListQuery, location="query")
@blp.response(200, schemas.CaseList)
@blp.alt_response(200, description="format=xlsx: the filtered list as an Excel sheet", content_type=XLSX_TYPE)
def cases(query):
    """The case register (办件台账): the cases you may see, filtered, searched, sorted, a page at a time.

    Clerks see what their window received, approvers and chief representatives their department's,
    supervisors every case. ``q`` finds any part of the case number or the applicant's name, phone
    or ID number; ``total`` counts every case the filters match. ``mine=true`` (clerks): the cases
    I registered, newest first, 50 a page. ``format=xlsx``: the whole list as an Excel sheet.
    """
    actor = current_actor()
    if query["mine"]:
        may_register(actor).check()
        mine, total = service.my_cases(actor, query["page"])
        return {"page": query["page"], "page_size": service.PAGE_SIZE, "per_page": service.PAGE_SIZE,
                "total": total, "cases": mine}
    if query["format"] == XLSX:
        name, data = register.export(actor, query)
        return Response(data, mimetype=XLSX_TYPE, headers={"Content-Disposition": f"attachment; filename={name}"})
    found = register.find(actor, query)
    return {"page": found.page, "page_size": found.per_page, "per_page": found.per_page, "total": found.total,
            "cases": found.cases}


@blp.route("/<number>")
@require(*ROLES)
@blp.response(200, schemas.CaseRecord)
def case(number):
    """A case: applicant, item, materials, dates, deadline state, open tasks, the notice due."""
    return service.case_view(current_actor(), number)


@blp.route("/<number>/history")
@require(*ROLES)
@blp.response(200, schemas.CaseHistoryEntry(many=True))
def history(number):
    """Every audited action on the case: who, what, status before and after, when (China time)."""
    return service.history(current_actor(), number)


@blp.route("/<number>/notice")
@require(*ROLES)
@blp.response(200, schemas.CaseNotice)
def notice(number):
    """The data of the notice the case is owed now; 404 when none is due yet."""
    return service.notice(current_actor(), number)


@blp.route("/<number>/notices")
@require(*ROLES)
@blp.response(200, schemas.NoticeListed(many=True))
def notices_given(number):
    """Every notice and document the case was given, in the order issued: the intake notices, 暂停计时
    and 延期告知书, the 准予 / 不予行政许可决定书 with its number, and its 送达回证 once served."""
    return service.documents_given(current_actor(), number)


@blp.route("/<number>/decision")
@require(*ROLES)
@blp.response(200, schemas.DecisionDocumentRecord)
def decision(number):
    """The case's 准予 / 不予行政许可决定书 as issued, with its 送达回证 facts once served; 404 before the decision."""
    return service.decision_document(current_actor(), number)


@blp.route("/<number>/notices/<kind>/<int:index>")
@require(*ROLES)
@blp.response(200, schemas.CaseNotice)
def notice_given(number, kind, index):
    """The ``index``-th notice of ``kind`` (from 1) as it was issued; 404 when the case has none such."""
    return service.printed_notice(current_actor(), number, kind, index)
