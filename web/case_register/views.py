"""The case register page (办件台账) and its Excel export: the filters as GET parameters, one page of
cases with the total, the same list as a sheet."""

from flask import Blueprint, Response, render_template, request
from flask_babel import format_datetime
from marshmallow import ValidationError

from engine.errors import InvalidInput, OneWindowError
from engine.roles import CASE_WORKERS, SUPERVISING
from engine.validation import first_error
from web.access import current_actor, require
from web.case_register import service
from web.case_register.schemas import FILTERS, RegisterListQuery

bp = Blueprint("case_register", __name__, url_prefix="/register")
READERS = (*CASE_WORKERS, *SUPERVISING)


@bp.context_processor
def helpers():
    def local_time(value):
        return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""
    return {"local_time": local_time}


def _filters() -> dict:
    try:
        return RegisterListQuery().load(request.args.to_dict())
    except ValidationError as error:
        field, message = first_error(error.messages)
        raise InvalidInput(f"{field}: {message}", field=field, details={"reason": message}) from None


@bp.route("/")
@require(*READERS)
def page():
    actor, refusal = current_actor(), None
    try:
        filters = _filters()
        found = service.find(actor, filters)
    except OneWindowError as error:
        refusal, filters = error, RegisterListQuery().load({})
        found = service.find(actor, {**filters, "department": None})
    shown = {name: request.args.get(name, "") for name in FILTERS}
    last_page = max(1, -(-found.total // found.per_page))
    page_html = render_template("case_register/page.html", found=found, rows=service.shown(actor, found.cases),
                                filters=shown, refusal=refusal,
                                choices=service.choices(actor), last_page=last_page,
                                query_args={name: value for name, value in shown.items() if value and name != "page"})
    return page_html, refusal.http_status if refusal else 200


@bp.route("/export.xlsx")
@require(*READERS)
def export():
    name, data = service.export(current_actor(), _filters())
    return Response(data, mimetype=service.XLSX_TYPE, headers={"Content-Disposition": f"attachment; filename={name}"})
