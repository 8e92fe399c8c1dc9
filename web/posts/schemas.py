"""JSON shapes of the A/B post API (marshmallow). Class names are unique across the API."""

from marshmallow import Schema, fields, validate

from engine.posts.service import ABSENCE_STATES, STINT_LIMIT, YEARLY_LIMIT


class WindowRow(Schema):
    """A window with its A and B posts (dumped from engine.posts.service.WindowLine)."""

    code = fields.Str(attribute="window.code")
    name = fields.Str(attribute="window.name")
    department_code = fields.Str(attribute="window.department_code", allow_none=True,
                                 metadata={"description": "null: a comprehensive window (综合窗口)"})
    department_name = fields.Str()
    a_staff_id = fields.Int(attribute="window.a_staff_id")
    a_name = fields.Str()
    a_username = fields.Str()
    b_staff_id = fields.Int(attribute="window.b_staff_id")
    b_name = fields.Str()
    b_username = fields.Str()
    b2_staff_id = fields.Int(attribute="window.b2_staff_id", allow_none=True,
                             metadata={"description": "the second B post (一至二名备选人员), if any"})
    b2_name = fields.Str(allow_none=True)
    b2_username = fields.Str(allow_none=True)
    kind = fields.Str(attribute="window.kind", metadata={"description": "comprehensive, category or department"})
    category = fields.Str(attribute="window.category", allow_none=True)
    active = fields.Bool(attribute="window.active")
    a_days_this_year = fields.Int(metadata={"description": f"working days A is recorded absent this year "
                                                           f"(at most {YEARLY_LIMIT})"})
    a_absent_today = fields.Bool()


class AbsenceQuery(Schema):
    state = fields.Str(load_default="open", validate=validate.OneOf(ABSENCE_STATES), metadata={
        "description": "open: not cancelled and not over; all"})


class AbsenceRow(Schema):
    """An absence of an A post covered by the B post (dumped from engine.posts.service.AbsenceLine)."""

    id = fields.Int(attribute="absence.id")
    window_code = fields.Str(attribute="absence.window_code")
    window_name = fields.Str()
    a_staff_id = fields.Int(attribute="absence.a_staff_id")
    a_name = fields.Str()
    b_staff_id = fields.Int(attribute="absence.b_staff_id")
    b_name = fields.Str()
    starts_on = fields.Date(attribute="absence.starts_on")
    ends_on = fields.Date(attribute="absence.ends_on", metadata={"description": "the last day away (inclusive)"})
    working_days = fields.Int(attribute="absence.working_days")
    reason = fields.Str(attribute="absence.reason")
    recorded_by = fields.Str()
    recorded_at = fields.DateTime(attribute="absence.recorded_at")
    cancelled_by = fields.Str(allow_none=True)
    cancelled_at = fields.DateTime(attribute="absence.cancelled_at", allow_none=True)
    state = fields.Str(metadata={"description": "upcoming, current, ended or cancelled"})


class NewAbsence(Schema):
    window_code = fields.Str(required=True, validate=validate.Length(1, 16))
    b_staff = fields.Str(required=True, validate=validate.Length(1, 50),
                         metadata={"description": "username of the window's B post, who covers"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, metadata={
        "description": f"the last day away; at most {STINT_LIMIT} working days from starts_on, and at most "
                       f"{YEARLY_LIMIT} a calendar year for the A person"})
    reason = fields.Str(required=True, validate=validate.Length(1, 300))
