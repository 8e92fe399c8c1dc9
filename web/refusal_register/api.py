"""The registers API: the 否决备案 register (seed 004 篇八 第八条), as JSON or as an Excel sheet.
Same rules as the page (web.refusal_register.views): supervisors every department, a chief his own."""

from flask import Response

from engine.roles import REGISTER_READERS
from web.access import current_actor, require
from web.api import api_blueprint
from web.refusal_register import schemas, service

blp = api_blueprint("registers_api", __name__, "/registers",
                    "Registers kept for supervision: the 否决备案 register of every refusal (不予受理, 不予许可)")


@blp.route("/refusals")
@require(*REGISTER_READERS)
@blp.arguments(schemas.RefusalQuery, location="query")
@blp.response(200, schemas.RefusalRow(many=True))
def refusals(query):
    """Every refusal of the period, oldest first: kind, case, item, department, reasons, who and when;
    ``format=xlsx`` answers with the same rows as an Excel sheet.

    A chief representative sees his own department's (another department: 403); bad filters are
    a 422 naming the field (``from``, ``to``, ``department``, ``item``, ``kind``).
    """
    chosen = service.filters(current_actor(), query.get("first"), query.get("last"), query.get("department"),
                             query.get("item"), query.get("kind"))
    if query["format"] == "xlsx":
        name, data = service.sheet(chosen)
        return Response(data, mimetype=service.XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})
    return service.lines(chosen)
