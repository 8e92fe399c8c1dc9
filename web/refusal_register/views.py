"""The 否决备案 register's page: every refusal of a period, filtered by department, item and
kind, with its Excel sheet. Supervisors see every department, a chief representative his own."""

from flask import Blueprint, Response, render_template, request

from engine import permissions
from engine.errors import OneWindowError
from engine.roles import REGISTER_READERS
from engine.workflow.properties import REFUSALS
from web.access import current_actor, require
from web.refusal_register import service

bp = Blueprint("refusal_register", __name__, url_prefix="/registers")


@bp.route("/refusals")
@require(*REGISTER_READERS)
def refusals():
    actor, found, refusal = current_actor(), [], None
    try:
        found = service.lines(service.filters_from_query(actor, request.args))
    except OneWindowError as error:
        if error.http_status == 403:
            raise
        refusal = error
    first, last = service.default_period()
    page = render_template("refusal_register/refusals.html", lines=found, refusal=refusal, args=request.args,
                           default_first=first, default_last=last, kinds=REFUSALS,
                           departments=service.department_names(), items=service.item_names(),
                           all_departments=permissions.supervises(actor),
                           filters={key: request.args[key] for key in service.FILTER_FIELDS if request.args.get(key)})
    return page, refusal.http_status if refusal else 200


@bp.route("/refusals.xlsx")
@require(*REGISTER_READERS)
def refusals_sheet():
    name, data = service.sheet(service.filters_from_query(current_actor(), request.args))
    return Response(data, mimetype=service.XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})
