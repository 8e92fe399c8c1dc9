"""JSON shapes of the public progress lookup (marshmallow): the question and exactly what the page shows."""

from marshmallow import Schema, fields, validate


class ProgressQuestion(Schema):
    number = fields.Str(required=True, validate=validate.Length(1, 32),
                        metadata={"description": "办件编号, e.g. ZW2026112300001"})
    phone_tail = fields.Str(required=True, validate=validate.Length(1, 4),
                            metadata={"description": "the last 4 digits of the phone given at intake"})


class ClockStopped(Schema):
    kind = fields.Str(metadata={"description": "why: 听证, 检验, 检测, 鉴定, 专家评审, 现场勘察, 上报 …"})
    since = fields.Date(metadata={"description": "the day the clock stopped"})


class Extension(Schema):
    days = fields.Int(metadata={"description": "working days added to the limit (第42条, once)"})
    granted_on = fields.Date()


class Parcel(Schema):
    carrier = fields.Str(metadata={"description": "EMS, 中国邮政, 顺丰速运"})
    waybill_number = fields.Str()
    dispatched_on = fields.Date()
    expected_by = fields.Date(metadata={"description": "the service level's day (T+1, across provinces T+2)"})
    delivered = fields.Bool(metadata={"description": "the delivery is confirmed"})
    delivered_on = fields.Date(allow_none=True)


class ProgressAnswer(Schema):
    """The applicant's view: no name, ID number, phone or address, no staff names and no text staff wrote
    (reasons and opinions go to the applicant in the written notices)."""

    number = fields.Str()
    item_name = fields.Str(metadata={"description": "the service item (事项)"})
    status = fields.Str(metadata={"description": "办件状态, e.g. 已受理, 暂停, 待补办, 正常办结"})
    due_date = fields.Date(allow_none=True, metadata={
        "description": "承诺办结日期 as it now stands (moved by ended suspensions and a granted extension); "
                       "null before acceptance. While the clock is stopped it moves again when it restarts"})
    result_ready = fields.Bool(metadata={"description": "decided and waiting for pickup or in the post"})
    clock_stopped = fields.Nested(ClockStopped, allow_none=True, metadata={
        "description": "暂停计时: set while the clock stands still"})
    suspended_days = fields.Int(metadata={"description": "working days earlier stops added to the due date"})
    extension = fields.Nested(Extension, allow_none=True, metadata={"description": "延期: the granted extension"})
    parcel = fields.Nested(Parcel, allow_none=True, metadata={"description": "the posted result (政务专递)"})
