"""What the outbox page and API both read and do: the deliveries with their events (recipients masked),
the channels with their counts, and sending a failed delivery again (``CaseEngine.outbox_book``)."""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from marshmallow import ValidationError

from engine import masking
from engine.clock import local_datetime
from engine.errors import InvalidInput
from engine.outbox import service as outbox
from engine.outbox_book import OutboxBook
from engine.validation import first_error
from web.access import case_engine
from web.notifications.schemas import NotificationQuery

PAGE_SIZE = 100


@dataclass(frozen=True)
class DeliveryLine:
    id: int
    event_id: str
    kind: str
    audience: str
    case_number: str | None
    channel: str
    recipient: str
    message: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


def book() -> OutboxBook:
    return case_engine().outbox_book


def query(arguments: dict) -> dict:
    """The page's GET parameters read as the API reads them, or the refusal naming the field."""
    try:
        return NotificationQuery().load(arguments)
    except ValidationError as error:
        field, message = first_error(error.messages)
        label = NotificationQuery().fields.get({"from": "first", "to": "last"}.get(field, field))
        raise InvalidInput(f"{field}: {message}", field=field, details={
            "reason": message, "label": label.metadata.get("label") if label else None}) from None


def where(filters: dict) -> outbox.DeliveryFilter:
    """The query's filters; the date range is of China-local days, the last one whole."""
    first, last = filters.get("first"), filters.get("last")
    return outbox.DeliveryFilter(
        state=filters.get("state"), channel=filters.get("channel"), case_number=filters.get("case_number"),
        kind=filters.get("kind"), created_from=local_datetime(first) if first else None,
        created_before=local_datetime(last + timedelta(days=1)) if last else None)


def lines(filters: dict, limit: int = PAGE_SIZE, offset: int = 0) -> tuple[int, list[DeliveryLine]]:
    with case_engine().session() as session:
        total, rows = outbox.listing(session, where(filters), limit=limit, offset=offset)
        return total, [DeliveryLine(
            id=delivery.id, event_id=event.key, kind=event.kind, audience=event.audience,
            case_number=event.case_number, channel=delivery.channel,
            recipient=masking.recipient(delivery.channel, delivery.recipient), message=delivery.message,
            state=delivery.state, attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at,
            last_error=delivery.last_error, sent_at=delivery.sent_at, created_at=event.created_at)
            for delivery, event in rows]


def channels() -> list[dict]:
    """Each channel's line with the age of its oldest pending delivery."""
    now = case_engine().clock.now()
    return [{**asdict(line), "oldest_pending_seconds": int((now - line.oldest_pending_at).total_seconds())
             if line.oldest_pending_at else None} for line in book().channels()]
