"""The board's API: counts and flagged cases (with the page's filters) and the chart figures."""

from marshmallow import Schema, fields, validate

from engine.cases import stats
from engine.validation import MAX_ID
from web.access import require
from web.api import api_blueprint
from web.board import service

blp = api_blueprint("board_api", __name__, "/board", "The supervisor's board: deadline states, late cases, charts")
SUPERVISING = ("supervisor", "admin")


class SummaryQuery(Schema):
    department = fields.Str(load_default=None, metadata={"description": "a department code"})
    state = fields.Str(load_default=None, metadata={"description": "red or yellow: only those flagged cases"})
    staff_id = fields.Int(load_default=None, validate=validate.Range(1, MAX_ID), metadata={
        "description": "only the cases in which this person holds an open task"})


class Counts(Schema):
    normal = fields.Int()
    yellow = fields.Int()
    red = fields.Int()


class DepartmentCounts(Counts):
    code = fields.Str()
    name = fields.Str()


class PersonCounts(Counts):
    staff_id = fields.Int(allow_none=True)
    name = fields.Str()


class FlaggedCase(Schema):
    number = fields.Str()
    department_code = fields.Str()
    state = fields.Str()
    due_date = fields.Str()
    working_days_late = fields.Int()
    stage = fields.Str()


class Summary(Schema):
    departments = fields.List(fields.Nested(DepartmentCounts))
    people = fields.List(fields.Nested(PersonCounts))
    flagged = fields.List(fields.Nested(FlaggedCase))


class ChartsQuery(Schema):
    days = fields.Int(load_default=stats.DEFAULT_DAYS, validate=validate.Range(1, stats.MAX_DAYS),
                      metadata={"description": f"the last N China-local days, today included (1-{stats.MAX_DAYS})"})
    department = fields.Str(load_default=None, metadata={"description": "a department code"})


class ChartTally(Schema):
    received = fields.Int(metadata={"description": "收件: cases received"})
    decided = fields.Int(metadata={"description": "办结: cases decided"})
    decided_on_time = fields.Int(metadata={"description": "of those, decided on or before the due date"})
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "按期办结率 in percent; null: none decided"})
    accepted = fields.Int(metadata={"description": "受理: cases accepted"})
    on_site = fields.Int(metadata={"description": "of those, 即办件 decided at the window the day accepted"})
    on_site_rate = fields.Float(allow_none=True, metadata={"description": "现场办结率 in percent; null: none accepted"})


class ChartDay(ChartTally):
    day = fields.Date()


class Charts(Schema):
    first = fields.Date()
    last = fields.Date()
    department = fields.Str(allow_none=True)
    on_site_target = fields.Float(metadata={"description": "现场办结率 target in percent (90)"})
    on_site_aim = fields.Float(metadata={"description": "现场办结率 aim in percent (95)"})
    days = fields.List(fields.Nested(ChartDay))
    total = fields.Nested(ChartTally)


@blp.route("/summary")
@require(*SUPERVISING)
@blp.arguments(SummaryQuery, location="query")
@blp.response(200, Summary)
def summary(query):
    """Open cases by department and deadline state, open tasks by person, the red and yellow cases."""
    return service.summary(query["department"], query["state"], query["staff_id"])


@blp.route("/charts")
@require(*SUPERVISING)
@blp.arguments(ChartsQuery, location="query")
@blp.response(200, Charts)
def charts(query):
    """Per China-local day: intake, on-time completion rate (按期办结率) and on-site completion rate (现场办结率).

    On-time: of the cases decided that day, those decided on or before their due date.
    On-site: of the cases accepted that day, the 即办件 decided at the window that same day.
    """
    return service.charts(query["days"], query["department"])
