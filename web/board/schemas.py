"""JSON shapes of the board's API (marshmallow): the queries and the answers."""

from marshmallow import Schema, fields, validate

from engine.cases import stats
from engine.validation import MAX_ID

DAYS_DESCRIPTION = f"the last N China-local days, today included (1-{stats.MAX_DAYS})"


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
    commitment_yellow = fields.Int(metadata={"description": "open cases whose 容缺 commitment is due soon"})
    commitment_red = fields.Int(metadata={"description": "open cases whose 容缺 commitment date has passed"})


class PersonCounts(Counts):
    staff_id = fields.Int(allow_none=True)
    name = fields.Str()


class FlaggedCase(Schema):
    number = fields.Str()
    department_code = fields.Str()
    flag = fields.Str(metadata={"description": "deadline: the case's time limit (办理时限); "
                                               "commitment: a 容缺 commitment's supply date"})
    state = fields.Str()
    due_date = fields.Str(metadata={"description": "the case's due date, or the commitment's supply date"})
    working_days_late = fields.Int()
    stage = fields.Str()


class Summary(Schema):
    departments = fields.List(fields.Nested(DepartmentCounts))
    people = fields.List(fields.Nested(PersonCounts))
    flagged = fields.List(fields.Nested(FlaggedCase))


class PeriodQuery(Schema):
    """The last ``days`` days, optionally of one department (charts, deliveries)."""

    days = fields.Int(load_default=stats.DEFAULT_DAYS, validate=validate.Range(1, stats.MAX_DAYS),
                      metadata={"description": DAYS_DESCRIPTION})
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


class StoppedClocksQuery(Schema):
    department = fields.Str(load_default=None, metadata={"description": "a department code"})
    staff_id = fields.Int(load_default=None, validate=validate.Range(1, MAX_ID), metadata={
        "description": "only the cases in which this person holds an open task"})


class StoppedClock(Schema):
    number = fields.Str()
    department_code = fields.Str()
    kind = fields.Str(metadata={"description": "why the clock stopped: 听证, 检验, 现场勘察, 上报 …"})
    since = fields.Date(metadata={"description": "the day the clock stopped"})
    working_days_stopped = fields.Int(metadata={
        "description": "working days not counted so far (the start day excluded); the due date moves by them"})
    due_date = fields.Date(allow_none=True, metadata={"description": "the due date before this stop"})
    stage = fields.Str()


class StoppedClocks(Schema):
    cases = fields.List(fields.Nested(StoppedClock))


class LateParcel(Schema):
    number = fields.Str()
    department_code = fields.Str()
    carrier = fields.Str()
    waybill_number = fields.Str()
    scope = fields.Str(metadata={"description": "same_city, in_province or out_of_province"})
    dispatched_on = fields.Date()
    due_on = fields.Date(metadata={"description": "the service level's day (T+1, or T+2 across provinces)"})
    delivered_on = fields.Date(allow_none=True, metadata={"description": "null: delivery not yet confirmed"})
    working_days_late = fields.Int(metadata={"description": "to the delivery, or to today when unconfirmed"})


class Deliveries(Schema):
    first = fields.Date()
    last = fields.Date()
    department = fields.Str(allow_none=True)
    settled = fields.Int(metadata={"description": "parcels due in the period, delivered or past their day"})
    on_time = fields.Int(metadata={"description": "of those, delivered on or before their day"})
    late = fields.Int(metadata={"description": "of those, delivered late or still unconfirmed"})
    pending = fields.Int(metadata={"description": "due today and not yet confirmed (may still be on time)"})
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "按时送达率 in percent; null: none settled"})
    target = fields.Float(metadata={"description": "the service level's share in percent (95)"})
    parcels = fields.List(fields.Nested(LateParcel), metadata={
        "description": "late parcels due in the period, and every parcel still unconfirmed past its day"})
