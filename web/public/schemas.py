"""JSON shapes of the public progress lookup (marshmallow): the question and exactly what the page shows."""

from marshmallow import Schema, fields, validate


class ProgressQuestion(Schema):
    number = fields.Str(required=True, validate=validate.Length(1, 32),
                        metadata={"description": "办件编号, e.g. ZW2026112300001"})
    phone_tail = fields.Str(required=True, validate=validate.Length(1, 4),
                            metadata={"description": "the last 4 digits of the phone given at intake"})


class ProgressAnswer(Schema):
    """The applicant's view: no name, ID number, phone or address."""

    number = fields.Str()
    item_name = fields.Str(metadata={"description": "the service item (事项)"})
    status = fields.Str(metadata={"description": "办件状态, e.g. 已受理, 待补办, 正常办结"})
    due_date = fields.Date(allow_none=True, metadata={"description": "承诺办结日期; null before acceptance"})
    result_ready = fields.Bool(metadata={"description": "decided and waiting for pickup or in the post"})
