"""The window clerk's pages: the workspace (find, window queue, new application), the
intake form, the clerk's own cases, a case and every notice it was given, printable."""

import uuid

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, format_datetime

from engine.cases.schemas import ID_TYPES
from engine.errors import OneWindowError
from engine.notices import ACCEPTANCE, DECISION_KINDS, PERMIT_GRANTED, PERMIT_REFUSED
from engine.roles import ROLES
from web.access import current_actor, require
from web.public import rating
from web.window import service

# The blueprint keeps the name "cases": every page links to its endpoints (cases.case …).
bp = Blueprint("cases", __name__, url_prefix="/cases")
# An official notice is printed in Chinese whatever language the reader's interface speaks.
NOTICE_LOCALE = "zh_Hans_CN"
RESULT_DOCUMENTS = (PERMIT_GRANTED, PERMIT_REFUSED)  # the result notices: they invite the rating too


@bp.context_processor
def helpers():
    def local_time(value):
        return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""

    def long_date(value):
        return format_date(value, "long") if value else ""
    return {"local_time": local_time, "long_date": long_date}


@bp.route("/")
@require("clerk")
def workspace():
    query, found, refusal = request.args.get("q"), None, None
    if query is not None:
        try:
            found = service.find(query)
        except OneWindowError as error:
            refusal = error
        if found is not None and len(found) == 1:
            return redirect(url_for("cases.case", number=found[0].number))
    page = render_template("cases/workspace.html", groups=service.catalogue(),
                           window_tasks=service.window_queue(current_actor()), query=query, found=found,
                           item_names=service.item_names() if found else {}, refusal=refusal)
    return page, refusal.http_status if refusal else 200


@bp.route("/new/<item_code>", methods=["GET", "POST"])
@require("clerk")
def new(item_code):
    item, schema = service.intake_form(item_code)
    applicant, refusal = {"kind": "person", "id_type": next(iter(ID_TYPES))}, None
    # Registering an arriving applicant from his appointment (预约): the form opens with him and the item.
    appointment = request.values.get("appointment") or None
    if appointment and request.method == "GET":
        applicant = service.booked_applicant(current_actor(), item.code, appointment)
    if request.method == "POST":
        applicant = service.applicant_from_form(request.form)
        try:
            intake = service.intake_from_form(request.form, item)
            case = service.register(current_actor(), item.code, applicant, intake, request.form.get("idempotency_key"),
                                    appointment)
        except OneWindowError as error:
            refusal = error
        else:
            return redirect(url_for("cases.case", number=case.number), code=303)
    page = render_template("cases/new.html", item=item, applicant=applicant, id_types=ID_TYPES,
                           regions=service.postal_regions(schema), form=request.form, refusal=refusal,
                           commitment_materials=service.commitment_materials(item),
                           committed=service.committed_from_form(request.form),
                           idempotency_key=request.form.get("idempotency_key") or uuid.uuid4().hex,
                           appointment=appointment)
    return page, refusal.http_status if refusal else 200


@bp.route("/mine")
@require("clerk")
def mine():
    page = service.parse_page(request.args.get("page"))
    cases, total = service.my_cases(current_actor(), page)
    return render_template("cases/mine.html", cases=cases, total=total, page=page, page_size=service.PAGE_SIZE,
                           item_names=service.item_names())


@bp.route("/<number>")
@require(*ROLES)
def case(number):
    return render_template("cases/case.html", view=service.case_view(current_actor(), number))


@bp.route("/<number>/notice")
@require(*ROLES)
def notice(number):
    """The notice the case is owed now (受理通知书, 一次性告知书 or 不予受理通知书)."""
    return render_notice(service.notice(current_actor(), number))


@bp.route("/<number>/notices/<kind>/<int:index>")
@require(*ROLES)
def notice_given(number, kind, index):
    """Any notice or document the case was given, as it was issued: 一次性告知书 #1 and #2, 受理通知书,
    the 行政许可决定书 and its 送达回证 …"""
    if kind in DECISION_KINDS:
        printed = service.printed_document(current_actor(), number, kind)
        invitation = rating.invitation(number) if printed.kind in RESULT_DOCUMENTS else None
        with force_locale(NOTICE_LOCALE):
            return render_template("cases/decision.html", printed=printed, document=printed.document,
                                   rating_invitation=invitation)
    return render_notice(service.printed_notice(current_actor(), number, kind, index))


def render_notice(notice) -> str:
    # The acceptance notice, like the result, invites the applicant to rate (好差评) by link and QR code.
    invitation = rating.invitation(notice.case_number) if notice.kind == ACCEPTANCE else None
    with force_locale(NOTICE_LOCALE):
        return render_template("cases/notice.html", notice=notice, rating_invitation=invitation)
