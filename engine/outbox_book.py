"""Sending a given-up notification again, as ``CaseEngine.outbox_book``: one delivery, or every failed
delivery of one channel (a receiver that was down for a day); and what each channel holds.

A retry puts the delivery back to pending with a fresh attempt budget, due now, in one transaction
with its audit entry (who, why). Per-case order on an ordered channel holds by itself: a failed
delivery stays the earliest unsent one of its case, so the case's later deliveries, which waited
behind it untried (engine/outbox/delivery.py), still wait until the retried one is sent.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select, update

from engine.actor import Actor
from engine.audit import service as audit
from engine.context import EngineContext
from engine.errors import Conflict, InvalidInput, NotFound
from engine.outbox import service as outbox
from engine.outbox.channels import NotifyPolicy
from engine.outbox.models import FAILED, PENDING, OutboxDelivery
from engine.permissions import may_resend_notifications
from engine.validation import is_id, text

REASON_LENGTH = 300
# A delivery's state as a refusal says it.
STATE_WORDS = {PENDING: ("待发送", "pending"), "sent": ("已发送", "sent")}


@dataclass(frozen=True)
class ChannelLine:
    """A channel the outbox sends by: the configured ones, each subscriber, and any channel that
    still has deliveries but is no longer in the settings (``configured`` False)."""

    channel: str
    subscriber: str | None  # the subscription's name (webhooks only)
    host: str | None  # where a webhook goes; the URL's path and the secret are not shown
    signed: bool | None
    configured: bool
    pending: int
    sent: int
    failed: int
    oldest_pending_at: datetime | None


class OutboxBook:
    def __init__(self, context: EngineContext, policy: NotifyPolicy):
        self.context, self.policy = context, policy

    def retry(self, actor: Actor, delivery_id, reason) -> int:
        """Send one failed delivery again; returns its id."""
        may_resend_notifications(actor).check()
        reason = text(reason, "reason", max_length=REASON_LENGTH)
        if not is_id(delivery_id):
            raise NotFound(f"没有该通知 (no delivery {delivery_id})", field="delivery_id")
        now = self.context.clock.now()
        with self.context.transaction() as session:
            delivery = session.scalar(select(OutboxDelivery).where(OutboxDelivery.id == delivery_id)
                                      .with_for_update())
            if delivery is None:
                raise NotFound(f"没有该通知 (no delivery {delivery_id})", field="delivery_id")
            if delivery.state != FAILED:
                zh, en = STATE_WORDS[delivery.state]
                raise Conflict(f"只有发送失败的通知可以重新发送，该通知{zh} (only a failed delivery is sent again; "
                               f"this one is {en})", field="delivery_id")
            # What it was, for the audit entry (the update below refreshes the loaded row).
            given_up = {"delivery_id": delivery_id, "channel": delivery.channel, "reason": reason,
                        "attempts_before": delivery.attempts, "last_error": delivery.last_error}
            case_id = delivery.case_id
            session.execute(update(OutboxDelivery).where(OutboxDelivery.id == delivery_id).values(**_fresh(now)))
            audit.record(session, actor=actor, action="notification_retry", at=now, case_id=case_id,
                         detail=given_up)
        return delivery_id

    def retry_channel(self, actor: Actor, channel, reason) -> int:
        """Send every failed delivery of ``channel`` again; returns how many."""
        may_resend_notifications(actor).check()
        reason = text(reason, "reason", max_length=REASON_LENGTH)
        channel = text(channel, "channel", max_length=60)
        now = self.context.clock.now()
        with self.context.transaction() as session:
            # One statement picks and resets them: a row a delivery run gives up meanwhile is in or out whole.
            rows = session.execute(update(OutboxDelivery)
                                   .where(OutboxDelivery.channel == channel, OutboxDelivery.state == FAILED)
                                   .values(**_fresh(now))
                                   .returning(OutboxDelivery.id, OutboxDelivery.case_id)).all()
            if not rows:
                known = channel in {line.channel for line in self._configured()}
                if not known and session.scalar(select(OutboxDelivery.id).where(OutboxDelivery.channel == channel)
                                                .limit(1)) is None:
                    raise InvalidInput(f"没有该通知渠道 {channel} (no channel {channel})", field="channel")
                raise Conflict(f"渠道 {channel} 没有发送失败的通知 (channel {channel} has no failed delivery)",
                               field="channel")
            rows.sort()
            audit.record_many(session, [audit.entry(
                actor=actor, action="notification_retry", at=now, case_id=case_id,
                detail={"delivery_id": delivery_id, "channel": channel, "reason": reason, "bulk": True})
                for delivery_id, case_id in rows])
        return len(rows)

    def channels(self) -> list[ChannelLine]:
        """Every channel with its deliveries counted: the settings' first, then the ones they dropped."""
        with self.context.session() as session:
            counts = outbox.channel_counts(session)
        lines = [_counted(line, counts.pop(line.channel, None)) for line in self._configured()]
        return lines + [_counted(ChannelLine(channel, None, None, None, False, 0, 0, 0, None), found)
                        for channel, found in sorted(counts.items())]

    def _configured(self) -> list[ChannelLine]:
        lines = [ChannelLine(name, None, None, None, True, 0, 0, 0, None) for name in self.policy.channels]
        return lines + [ChannelLine(each.channel, each.name, _host(each.url), bool(each.secret), True,
                                    0, 0, 0, None) for each in self.policy.subscriptions]


def _fresh(now: datetime) -> dict:
    """A given-up delivery made pending again: a whole new attempt budget, due now, held by no run."""
    return {"state": PENDING, "attempts": 0, "next_attempt_at": now, "claimed_by": None, "claimed_until": None}


def _counted(line: ChannelLine, found: outbox.ChannelCounts | None) -> ChannelLine:
    found = found or outbox.ChannelCounts()
    return replace(line, pending=found.pending, sent=found.sent, failed=found.failed,
                   oldest_pending_at=found.oldest_pending_at)


def _host(url: str) -> str:
    """The host (and port) a webhook goes to: never a password written into the URL."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else (parts.hostname or "")
