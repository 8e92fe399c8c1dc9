"""The statistics API: the figures of a month, quarter or year by department, item or person; as an Excel sheet."""

from flask import Response

from engine.roles import BOARD_READERS
from web.access import current_actor, require
from web.api import api_blueprint
from web.reports import schemas, service

blp = api_blueprint("reports_api", __name__, "/reports",
                    "Statistics reports (月统计, 季通报): 收件, 受理, 不予受理, 一次性告知, 办结, 按期办结率, 超期件数, "
                    "现场办结率, 即办件 time, 满意度, 差评整改率, complaints, postal delivery")


@blp.route("/statistics")
@require(*BOARD_READERS)
@blp.arguments(schemas.StatisticsQuery, location="query")
@blp.response(200, schemas.StatisticsReport)
@blp.alt_response(200, description="format=xlsx: the report as an Excel sheet", content_type=service.XLSX_TYPE)
def statistics(query):
    """The period's figures per department, item or person, and their total; rates in percent (null: nothing
    to count). Supervisors read every department's, a chief representative his own (docs/rules.md)."""
    result = service.report(current_actor(), query["period"], query["by"], query["department"])
    if query["format"] == schemas.XLSX:
        name, data = service.export(result)
        return Response(data, mimetype=service.XLSX_TYPE, headers={"Content-Disposition": f"attachment; filename={name}"})
    return result
