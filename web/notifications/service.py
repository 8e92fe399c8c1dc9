"""What the outbox page and API both read: the deliveries with their events, recipients masked."""

from dataclasses import dataclass
from datetime import datetime

from engine import masking
from engine.outbox import service as outbox
from web.access import case_engine

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


def lines(state: str | None = None, channel: str | None = None, limit: int = PAGE_SIZE,
          offset: int = 0) -> tuple[int, list[DeliveryLine]]:
    with case_engine().session() as session:
        total, rows = outbox.listing(session, state=state or None, channel=channel or None, limit=limit, offset=offset)
        return total, [DeliveryLine(
            id=delivery.id, event_id=event.key, kind=event.kind, audience=event.audience,
            case_number=event.case_number, channel=delivery.channel,
            recipient=masking.recipient(delivery.channel, delivery.recipient), message=delivery.message,
            state=delivery.state, attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at,
            last_error=delivery.last_error, sent_at=delivery.sent_at, created_at=event.created_at)
            for delivery, event in rows]
