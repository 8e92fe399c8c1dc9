"""The window clerk's pages: find a case, register a new application, the case and its notice."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from engine.cases.schemas import ID_TYPES
from engine.errors import OneWindowError
from web.access import case_engine, current_actor, require
from web.cases import service
from web.tasks import forms

bp = Blueprint("cases", __name__, url_prefix="/cases")
VIEWERS = ("clerk", "approver", "chief", "supervisor", "admin")


@bp.context_processor
def helpers():
    return {"local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "choice_label": forms.choice_label, "row_count": forms.row_count, "field_title": forms.field_title}


@bp.route("/")
@require("clerk")
def workspace():
    query, found, refusal = request.args.get("q"), None, None
    if query is not None:
        try:
            found = service.find(query)
        except OneWindowError as error:
            refusal = error
        if found and len(found) == 1:
            return redirect(url_for("cases.case", number=found[0].number))
    return render_template("cases/workspace.html", groups=service.catalogue(),
                           window_tasks=case_engine().task_queue(current_actor()), query=query, found=found,
                           refusal=refusal), (refusal.http_status if refusal else 200)


@bp.route("/new/<item_code>", methods=["GET", "POST"])
@require("clerk")
def new(item_code):
    item, schema, data = case_engine().intake_form(item_code)
    fields = forms.fields_of(schema, data)
    values, applicant, refusal = forms.initial_values(fields, data), {"kind": "person"}, None
    if request.method == "POST":
        values, applicant = forms.submission(fields, request.form), service.applicant_from(request.form)
        try:
            case = case_engine().create_case(current_actor(), item.code, applicant, values)
        except OneWindowError as error:
            refusal = error
        else:
            return redirect(url_for("cases.case", number=case.number))
    return render_template("cases/new.html", item=item, fields=fields, values=values, applicant=applicant,
                           id_types=ID_TYPES, refusal=refusal), (refusal.http_status if refusal else 200)


@bp.route("/mine")
@require("clerk")
def mine():
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10000 else 1
    return render_template("cases/mine.html", cases=service.my_cases(current_actor(), page), page=page)


@bp.route("/<number>")
@require(*VIEWERS)
def case(number):
    return render_template("cases/case.html", page=service.case_page(current_actor(), number))


@bp.route("/<number>/notice")
@require(*VIEWERS)
def notice(number):
    page = service.case_page(current_actor(), number)
    if page.notice is None:
        abort(404, description=_("此办件暂无可出具的通知书"))
    return render_template("cases/notice.html", page=page, center=current_app.config["CENTER_NAME"])
