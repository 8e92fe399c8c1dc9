"""Delivering the outbox: claim due deliveries under a lease, send them, mark each sent or failed.

Exactly once per event and channel: a delivery run claims rows with one conditional UPDATE
(``SELECT … FOR UPDATE SKIP LOCKED`` first on PostgreSQL, so two runs never wait on or take the
same rows; on SQLite writers are serialized and the condition alone decides), sends them outside
any transaction, and marks only the rows it still holds. A run that dies mid-way lets its claim
expire and another run sends those rows again: at-least-once only across a crash between the
send and its mark, and the webhook's ``X-OneWindow-Delivery`` lets a receiver drop the repeat.

A failed send is retried with exponential backoff (``backoff_seconds`` × 2^(attempt-1), at most
``max_backoff_seconds``) until ``max_attempts``, then the row stays ``failed`` with its last error.
Once a channel's counterpart does not answer at all in a run, that run's other rows of the channel wait for the first backoff
without an attempt counted, so a gateway that is down costs one timeout per run, not one per row.
On an ordered channel (the webhooks) a case's delivery waits until every earlier one of the same
case on that channel was sent.
"""

import logging
import uuid
from datetime import timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from engine.context import EngineContext
from engine.outbox import channels
from engine.outbox.channels import WEBHOOK, NotifyPolicy
from engine.outbox.models import FAILED, PENDING, SENT, OutboxDelivery, OutboxEvent

log = logging.getLogger(__name__)

ERROR_LENGTH = 500


class OutboxDeliveries:
    """The scheduler's delivery job (scheduler/jobs.py ``notifications``)."""

    def __init__(self, context: EngineContext, policy: NotifyPolicy):
        self.context, self.clock, self.policy = context, context.clock, policy

    def deliver_due(self, limit: int = 50) -> int:
        """Send up to ``limit`` due deliveries; returns how many this run claimed."""
        holder = uuid.uuid4().hex
        claimed = self._claim(holder, limit)
        down = set()  # channels unreachable in this run: their other rows wait, untried, for the backoff
        for delivery_id, channel, recipient, message, payload in claimed:
            if channel in down:
                self._defer(delivery_id, holder)
                continue
            try:
                channels.send(self.policy, channel, recipient, message, payload, delivery_id,
                              str(int(self.clock.now().timestamp())))
            except Exception as error:  # any failure of the counterpart: retried later
                log.warning("delivery %s by %s failed: %s", delivery_id, channel, error)
                if channels.unreachable(error):
                    down.add(channel)
                self._mark_failed(delivery_id, holder, f"{error.__class__.__name__}: {error}"[:ERROR_LENGTH])
            else:
                self._mark_sent(delivery_id, holder)
        return len(claimed)

    def _claim(self, holder: str, limit: int) -> list[tuple]:
        now = self.clock.now()
        # The claim outlasts the batch's sends even when every counterpart times out.
        until = now + timedelta(seconds=channels.TIMEOUT_SECONDS * limit + 60)
        row, earlier = OutboxDelivery, aliased(OutboxDelivery)
        unclaimed = or_(row.claimed_until.is_(None), row.claimed_until <= now)
        waiting = exists().where(earlier.case_id == row.case_id, earlier.channel == row.channel,
                                 earlier.id < row.id, earlier.state != SENT)
        in_order = or_(~row.channel.like(f"{WEBHOOK}:%"), row.case_id.is_(None), ~waiting)
        with self.context.transaction() as session:
            ids = list(session.scalars(select(row.id).where(row.state == PENDING, row.next_attempt_at <= now,
                                                            unclaimed, in_order)
                                       .order_by(row.id).limit(limit).with_for_update(skip_locked=True)))
            if not ids:
                return []
            session.execute(update(row).where(row.id.in_(ids), row.state == PENDING, unclaimed)
                            .values(claimed_by=holder, claimed_until=until))
        with self.context.session() as session:
            return session.execute(
                select(row.id, row.channel, row.recipient, row.message, OutboxEvent.payload)
                .join(OutboxEvent, OutboxEvent.id == row.event_id)
                .where(row.claimed_by == holder, row.state == PENDING).order_by(row.id)).all()

    def _mark_sent(self, delivery_id: int, holder: str) -> None:
        with self.context.transaction() as session:
            session.execute(update(OutboxDelivery).where(_held(delivery_id, holder)).values(
                state=SENT, sent_at=self.clock.now(), attempts=OutboxDelivery.attempts + 1, last_error=None,
                claimed_by=None, claimed_until=None))

    def _defer(self, delivery_id: int, holder: str) -> None:
        """Not tried in this run (its channel just failed): no attempt counted, tried after the first backoff."""
        with self.context.transaction() as session:
            session.execute(update(OutboxDelivery).where(_held(delivery_id, holder)).values(
                claimed_by=None, claimed_until=None,
                next_attempt_at=self.clock.now() + timedelta(seconds=self.policy.backoff_seconds)))

    def _mark_failed(self, delivery_id: int, holder: str, error: str) -> None:
        with self.context.transaction() as session:
            attempts = session.scalar(select(OutboxDelivery.attempts).where(_held(delivery_id, holder))
                                      .with_for_update())
            if attempts is None:
                return  # the claim ran out and another run holds the row now
            attempts += 1
            values = {"attempts": attempts, "last_error": error, "claimed_by": None, "claimed_until": None}
            if attempts >= self.policy.max_attempts:
                values["state"] = FAILED
            else:
                values["next_attempt_at"] = self.clock.now() + backoff(self.policy, attempts)
            session.execute(update(OutboxDelivery).where(_held(delivery_id, holder)).values(**values))


def backoff(policy: NotifyPolicy, attempts: int) -> timedelta:
    """How long after its ``attempts``-th failure a delivery is tried again."""
    return timedelta(seconds=min(policy.backoff_seconds * 2 ** (attempts - 1), policy.max_backoff_seconds))


def _held(delivery_id: int, holder: str):
    return and_(OutboxDelivery.id == delivery_id, OutboxDelivery.claimed_by == holder)
