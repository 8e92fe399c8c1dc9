"""The printable statistics page (月统计 / 季通报): the table of figures and the charts a reader looks at."""

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError

from engine import statistics
from engine.errors import InvalidInput, OneWindowError
from engine.permissions import supervises
from engine.roles import BOARD_READERS
from engine.validation import first_error
from web.access import current_actor, require
from web.board.service import filter_choices
from web.reports import schemas, service

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _query() -> dict:
    try:
        return schemas.StatisticsQuery().load(request.args.to_dict())
    except ValidationError as error:
        field, message = first_error(error.messages)
        raise InvalidInput(f"{field}: {message}", field=field, details={"reason": message}) from None


@bp.route("/")
@require(*BOARD_READERS)
def page():
    actor, refusal = current_actor(), None
    try:
        query = _query()
        result = service.report(actor, query["period"], query["by"], query["department"])
    except OneWindowError as error:
        refusal, query = error, schemas.StatisticsQuery().load({})
        result = service.report(actor, None, query["by"], None)
    chart_rows = [{"name": row.name, "received": row.received, "decided": row.decided,
                   "on_time_rate": row.on_time_rate, "satisfaction_rate": row.satisfaction_rate}
                  for row in result.rows]
    html = render_template("reports/page.html", result=result, title=service.title(result), refusal=refusal,
                           # In the reader's language (the Excel sheet keeps them in Chinese); translated
                           # here, not in the template, whose gettext would read the '%' of '(%)' as a format.
                           columns=[(gettext(heading), attribute) for heading, attribute in statistics.COLUMNS],
                           group_heading=statistics.GROUP_HEADINGS[result.by],
                           chart_rows=chart_rows, query=request.args.to_dict(),
                           target_minutes=statistics.IMMEDIATE_TARGET_MINUTES,
                           choices=filter_choices(None if supervises(actor) else actor.department_code))
    return html, refusal.http_status if refusal else 200


@bp.route("/statistics.xlsx")
@require(*BOARD_READERS)
def export():
    query = _query()
    name, data = service.export(service.report(current_actor(), query["period"], query["by"], query["department"]))
    return Response(data, mimetype=service.XLSX_TYPE, headers={"Content-Disposition": f"attachment; filename={name}"})
