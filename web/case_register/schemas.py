"""The register's query (marshmallow), shared by GET /api/v1/cases, the page and its Excel export."""

from marshmallow import EXCLUDE, Schema, fields, validate

from engine import register
from engine.validation import MAX_ID

XLSX, JSON = "xlsx", "json"


class RegisterListQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # the page's own parameters (lang …) are not the register's

    mine = fields.Bool(load_default=False, metadata={
        "description": "clerks: only the cases I registered, newest first (the other filters are then ignored)"})
    q = fields.Str(validate=validate.Length(register.MIN_QUERY, register.MAX_QUERY), metadata={
        "description": "any part (3 characters or more) of the case number, the applicant's name, phone or ID "
                       "number; 2 characters: names beginning with them"})
    status = fields.Str(validate=validate.Length(1, 10), metadata={"description": "a case status, e.g. 已受理"})
    item = fields.Str(validate=validate.Length(1, 32), metadata={"description": "a service item code"})
    department = fields.Str(validate=validate.Length(1, 32), metadata={"description": "a department code"})
    case_type = fields.Str(validate=validate.OneOf(("即办件", "承诺件", "联办件", "上报件")))
    received_from = fields.Date(metadata={"description": "received on or after this China-local day"})
    received_to = fields.Date(metadata={"description": "received on or before this day"})
    accepted_from = fields.Date()
    accepted_to = fields.Date()
    decided_from = fields.Date()
    decided_to = fields.Date()
    overdue = fields.Bool(metadata={"description": "true: decided after the due day or open and past it (red)"})
    clerk = fields.Int(validate=validate.Range(1, MAX_ID), metadata={"description": "registered by this clerk"})
    approver = fields.Int(validate=validate.Range(1, MAX_ID), metadata={
        "description": "a back-office step completed or held by this person"})
    sort = fields.Str(load_default="-received", validate=validate.OneOf(tuple(register.SORTS)), metadata={
        "description": "-received (newest first), received, number, -number"})
    page = fields.Int(load_default=1, validate=validate.Range(1, register.LAST_PAGE))
    per_page = fields.Int(load_default=register.PER_PAGE, validate=validate.Range(1, register.MAX_PER_PAGE))
    format = fields.Str(load_default=JSON, validate=validate.OneOf((JSON, XLSX)), metadata={
        "description": "xlsx: the whole filtered list as an Excel sheet (at most 20000 cases)"})


FILTERS = tuple(name for name in RegisterListQuery().fields if name not in ("mine", "format"))
