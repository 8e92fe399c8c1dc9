"""Outbox rows: one event per fact a step recorded, one delivery per channel and recipient.

Both are written in the step's transaction, so an event exists exactly when its step committed;
the scheduler's delivery job sends the deliveries afterwards (engine/outbox/delivery.py).
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime

PENDING, SENT, FAILED = "pending", "sent", "failed"
DELIVERY_STATES = (PENDING, SENT, FAILED)
# Who an event is for: the applicant, the staff who hold a task, or subscribed systems only.
APPLICANT, STAFF, SYSTEMS = "applicant", "staff", "systems"


class OutboxEvent(Base):
    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The event's id as published: known before the step's one flush (engine/casework.py).
    key: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(12))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"), index=True)
    case_number: Mapped[str | None] = mapped_column(String(32))
    # The event as published (docs/events.md): built once, from the facts of its step.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    deliveries: Mapped[list["OutboxDelivery"]] = relationship(back_populates="event", order_by="OutboxDelivery.id")


class OutboxDelivery(Base):
    __tablename__ = "outbox_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", "recipient"),
        # The delivery job reads the due pending rows in order from this index.
        Index("ix_outbox_delivery_due", "state", "next_attempt_at"),
        # Per-case order: the earlier deliveries of a case on a channel.
        Index("ix_outbox_delivery_case_channel", "case_id", "channel", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_event.id"))
    case_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The lease of the delivery run that is sending it (a run that dies lets it expire).
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[OutboxEvent] = relationship(back_populates="deliveries")
