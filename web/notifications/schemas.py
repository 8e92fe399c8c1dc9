"""JSON shapes of the notifications API (marshmallow). Class names are unique across the API."""

from marshmallow import Schema, fields, validate

from engine.outbox.models import DELIVERY_STATES
from engine.outbox.service import MESSAGES
from web.window.schemas import ChinaDateTime


class NotificationQuery(Schema):
    state = fields.Str(validate=validate.OneOf(DELIVERY_STATES), metadata={"description": ", ".join(DELIVERY_STATES)})
    channel = fields.Str(validate=validate.Length(1, 60), metadata={
        "description": "log, sms, email or webhook:<subscription>"})
    limit = fields.Int(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Int(load_default=0, validate=validate.Range(0, 10_000_000))


class NotificationDelivery(Schema):
    """One delivery of an outbox event (engine/outbox/models.py), newest first."""

    id = fields.Int()
    event_id = fields.Str(metadata={"description": "the event's id as published (docs/events.md)"})
    kind = fields.Str(metadata={"description": ", ".join(MESSAGES)})
    audience = fields.Str(metadata={"description": "applicant, staff or systems"})
    case_number = fields.Str(allow_none=True)
    channel = fields.Str()
    recipient = fields.Str(metadata={"description": "phone numbers and e-mail addresses masked"})
    message = fields.Str(metadata={"description": "what was (or would be) sent, in Chinese"})
    state = fields.Str(metadata={"description": ", ".join(DELIVERY_STATES)})
    attempts = fields.Int()
    next_attempt_at = ChinaDateTime(metadata={"description": "when a pending delivery is tried (again)"})
    last_error = fields.Str(allow_none=True)
    sent_at = ChinaDateTime(allow_none=True)
    created_at = ChinaDateTime()


class NotificationPage(Schema):
    total = fields.Int()
    items = fields.List(fields.Nested(NotificationDelivery))
