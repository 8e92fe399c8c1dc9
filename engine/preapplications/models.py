"""A pre-application as the platform posted it, and what the window did with it."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

PENDING, REGISTERED, REJECTED = "pending", "registered", "rejected"
STATES = (PENDING, REGISTERED, REJECTED)


class PreApplication(Base):
    """待接件: one platform application, unique by the platform's id (the unique constraint decides a
    race of retries); registered once into a case, or rejected as not this center's."""

    __tablename__ = "pre_application"
    __table_args__ = (
        # The window's list: the waiting ones, oldest receipt first.
        Index("ix_pre_application_state_received", "state", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_application_id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("service_account.id"))
    # SHA-256 of the posted body as validated: a retry with another body is a conflict.
    fingerprint: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = mapped_column(ForeignKey("service_item.code"))
    applicant: Mapped[dict] = mapped_column(JSON)
    materials: Mapped[list] = mapped_column(JSON)
    # The platform's receipt: the 5 working days of 第32条 run from it, not from the clerk's click.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_on: Mapped[date] = mapped_column(Date)
    # When the platform's post reached this center.
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"), unique=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
