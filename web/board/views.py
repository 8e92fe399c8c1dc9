"""The supervisor's board page; its tables and charts refresh from /api/v1/board/summary, /charts, /suspended
and /deliveries."""

from flask import Blueprint, render_template, request

from engine.cases.stats import DEFAULT_DAYS
from engine.errors import OneWindowError
from engine.permissions import board_department, supervises
from engine.roles import BOARD_READERS
from web.access import current_actor, require
from web.board import service
from web.board.schemas import Charts, Deliveries

bp = Blueprint("board", __name__, url_prefix="/board")
NO_FILTERS = {"department": None, "state": None, "staff_id": None, "days": DEFAULT_DAYS}


@bp.route("/")
@require(*BOARD_READERS)
def page():
    """Filters from the query string: department, state (red / yellow), staff_id, days (chart window)."""
    args = request.args
    try:
        filters = {"department": board_department(current_actor(), args.get("department") or None), "state": args.get("state") or None,
                   "staff_id": service.parse_staff_id(args.get("staff_id")), "days": service.parse_days(args.get("days"))}
        return _render(filters, None)
    except OneWindowError as refusal:
        # The page again without filters: for a chief representative, still his own department only.
        return _render({**NO_FILTERS, "department": board_department(current_actor(), None)}, refusal), \
            refusal.http_status


def _render(filters: dict, refusal):
    figures = service.summary(filters["department"], filters["state"], filters["staff_id"])
    charts = service.charts(filters["days"], filters["department"])
    stopped = service.stopped_clocks(filters["department"], filters["staff_id"])
    # Dumped as the API dumps them, so the page shows the same dates board.js refreshes.
    deliveries = Deliveries().dump(service.deliveries(filters["days"], filters["department"]))
    # The charts' first drawing uses the API's own shape, so board.js draws and refreshes alike.
    return render_template("board/page.html", figures=figures, charts=charts, charts_json=Charts().dump(charts),
                           stopped=stopped, deliveries=deliveries, filters=filters, refusal=refusal,
                           choices=service.filter_choices(None if supervises(current_actor()) else filters["department"]),
                           outlook=service.calendar_outlook())
