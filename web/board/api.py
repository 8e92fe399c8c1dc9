from marshmallow import Schema, fields

from web.access import require
from web.api import api_blueprint
from web.board import service

blp = api_blueprint("board_api", __name__, "/board", "The supervisor's board: deadline states and late cases")


class SummaryQuery(Schema):
    department = fields.Str(load_default=None)
    state = fields.Str(load_default=None)


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


@blp.route("/summary")
@require("supervisor", "admin")
@blp.arguments(SummaryQuery, location="query")
@blp.response(200, Summary)
def summary(query):
    """Open cases by department and deadline state, open tasks by person, the red and yellow cases."""
    return service.summary(query["department"], query["state"])
