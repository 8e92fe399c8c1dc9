"""JSON shapes of the notifications API (marshmallow). Class names are unique across the API."""

from datetime import date

from marshmallow import EXCLUDE, Schema, fields, validate

from engine.outbox.models import DELIVERY_STATES
from engine.outbox.service import MESSAGES
from engine.outbox_book import REASON_LENGTH
from web.window.schemas import ChinaDateTime

# The days an event may be asked for: beyond them a day's midnight in China is no moment the database
# stores (year 1 has none in UTC; the day after 9999-12-31 is none at all).
DAYS = (date(1970, 1, 1), date(9999, 12, 30))
# The filters of the page and the API, in the order the page shows them.
FILTERS = ("state", "channel", "case_number", "kind", "from", "to")


class NotificationQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # the page's own parameters (lang …) are not filters

    state = fields.Str(validate=validate.OneOf(DELIVERY_STATES), metadata={
        "label": "状态", "description": ", ".join(DELIVERY_STATES)})
    channel = fields.Str(validate=validate.Length(1, 60), metadata={
        "label": "渠道", "description": "log, sms, email or webhook:<subscription>"})
    case_number = fields.Str(validate=validate.Length(1, 32), metadata={"label": "办件编号"})
    kind = fields.Str(validate=validate.OneOf(tuple(MESSAGES)), metadata={
        "label": "事件", "description": ", ".join(MESSAGES)})
    first = fields.Date(data_key="from", validate=validate.Range(*DAYS), metadata={
        "label": "开始日期", "description": "events on or after this China-local day"})
    last = fields.Date(data_key="to", validate=validate.Range(*DAYS), metadata={
        "label": "结束日期", "description": "events on or before this day"})
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


class NotificationRetry(Schema):
    reason = fields.Str(required=True, validate=validate.Length(1, REASON_LENGTH), metadata={
        "label": "重新发送原因", "description": "why it is sent again (kept in the audit trail)"})


class ChannelRetry(NotificationRetry):
    channel = fields.Str(required=True, validate=validate.Length(1, 60), metadata={
        "label": "渠道", "description": "every failed delivery of this channel is sent again"})


class RetriedDelivery(Schema):
    id = fields.Int()
    state = fields.Str(metadata={"description": "pending: the delivery job sends it on its next run"})


class RetriedChannel(Schema):
    channel = fields.Str()
    retried = fields.Int(metadata={"description": "how many failed deliveries were made pending again"})


class NotificationChannel(Schema):
    """A channel the outbox sends by, with its deliveries counted (the secret is never shown)."""

    channel = fields.Str(metadata={"description": "log, sms, email or webhook:<subscription>"})
    subscriber = fields.Str(allow_none=True, metadata={"description": "the subscribed system's name (webhooks)"})
    host = fields.Str(allow_none=True, metadata={"description": "the host a webhook is posted to"})
    signed = fields.Bool(allow_none=True, metadata={"description": "webhooks: signed with the shared secret"})
    configured = fields.Bool(metadata={"description": "false: no longer in the settings, deliveries remain"})
    pending = fields.Int()
    sent = fields.Int()
    failed = fields.Int()
    oldest_pending_at = ChinaDateTime(allow_none=True, metadata={
        "description": "when the event of the oldest pending delivery happened (a stuck receiver shows here)"})
    oldest_pending_seconds = fields.Int(allow_none=True, metadata={"description": "its age in seconds"})
