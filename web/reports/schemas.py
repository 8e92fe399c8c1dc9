"""JSON shapes of the statistics API (marshmallow)."""

from marshmallow import EXCLUDE, Schema, fields, validate

from engine import statistics

XLSX, JSON = "xlsx", "json"


class StatisticsQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # the page's own parameters (lang …)

    period = fields.Str(load_default=None, validate=validate.Length(1, 10), metadata={
        "description": "2026-11 (month), 2026-Q4 (quarter) or 2026 (year); default: this month"})
    by = fields.Str(load_default=statistics.DEPARTMENT, validate=validate.OneOf(statistics.GROUPINGS), metadata={
        "description": "department, item or staff (cases by the registering clerk, ratings by the responsible "
                       "person, complaints by the person complained of, parcels by who handed them over)"})
    department = fields.Str(load_default=None, validate=validate.Length(1, 32), metadata={
        "description": "only this department (a chief representative: always his own)"})
    format = fields.Str(load_default=JSON, validate=validate.OneOf((JSON, XLSX)))


def _figure_fields() -> dict:
    """Every column of the report: counts as integers, rates (percent) and minutes as numbers or null."""
    return {attribute: (fields.Float(allow_none=True, metadata={"description": heading})
                        if attribute.endswith(("rate", "minutes")) else fields.Int(metadata={"description": heading}))
            for heading, attribute in statistics.COLUMNS}


StatisticsRow = Schema.from_dict({
    "key": fields.Raw(allow_none=True, metadata={"description": "department or item code, staff id; null: none"}),
    "name": fields.Str(),
    **_figure_fields(),
}, name="StatisticsRow")


class StatisticsReport(Schema):
    period = fields.Str(attribute="period.label")
    first = fields.Date(attribute="period.first")
    last = fields.Date(attribute="period.last")
    by = fields.Str()
    department = fields.Str(attribute="department_code", allow_none=True)
    immediate_target_minutes = fields.Int(dump_default=statistics.IMMEDIATE_TARGET_MINUTES)
    rows = fields.List(fields.Nested(StatisticsRow))
    total = fields.Nested(StatisticsRow)
