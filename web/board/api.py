"""The board's API: counts and flagged cases (with the page's filters), the chart figures, stopped clocks and
late postal deliveries."""

from engine.permissions import board_department
from engine.roles import BOARD_READERS
from web.access import current_actor, require
from web.api import api_blueprint
from web.board import schemas, service

blp = api_blueprint("board_api", __name__, "/board",
                    "The supervisor's board: deadline states, late cases, commitments, stopped clocks, charts, "
                    "postal deliveries")


@blp.route("/summary")
@require(*BOARD_READERS)
@blp.arguments(schemas.SummaryQuery, location="query")
@blp.response(200, schemas.Summary)
def summary(query):
    """Open cases by department and deadline state, open tasks by person, the red and yellow cases.

    A case is flagged for its time limit (``flag`` deadline) and, apart from that, for a 容缺
    commitment due soon or missed (``flag`` commitment, ``due_date`` the supply date).
    """
    return service.summary(_department(query), query["state"], query["staff_id"])


@blp.route("/charts")
@require(*BOARD_READERS)
@blp.arguments(schemas.PeriodQuery, location="query")
@blp.response(200, schemas.Charts)
def charts(query):
    """Per China-local day: intake, on-time completion rate (按期办结率) and on-site completion rate (现场办结率).

    On-time: of the cases decided that day, those decided on or before their due date.
    On-site: of the cases accepted that day, the 即办件 decided at the window that same day.
    """
    return service.charts(query["days"], _department(query))


@blp.route("/suspended")
@require(*BOARD_READERS)
@blp.arguments(schemas.StoppedClocksQuery, location="query")
@blp.response(200, schemas.StoppedClocks)
def suspended(query):
    """Open cases whose clock is stopped (暂停, 行政许可法 第45条 or 上报), longest stopped first."""
    return service.stopped_clocks(_department(query), query["staff_id"])


@blp.route("/deliveries")
@require(*BOARD_READERS)
@blp.arguments(schemas.PeriodQuery, location="query")
@blp.response(200, schemas.Deliveries)
def deliveries(query):
    """政务专递 service level over the last ``days`` days, and the late parcels.

    Counted: the parcels whose due day (T+1, across provinces T+2) falls in the period. On time:
    delivered on or before that day; late: delivered after it, or not confirmed by its end.
    """
    return service.deliveries(query["days"], _department(query))


def _department(query) -> str | None:
    """The department filter as the actor may use it (a chief representative: his own)."""
    return board_department(current_actor(), query["department"])
