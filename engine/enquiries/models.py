"""Enquiry rows: who asked what through which channel, who was first asked (首问责任人), where it
was referred, and the answer; a day's counter issues the receipt numbers."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

WINDOW, PHONE, ONLINE = "window", "phone", "online"
CHANNELS = (WINDOW, PHONE, ONLINE)
OPEN, REFERRED, ANSWERED = "open", "referred", "answered"
STATES = (OPEN, REFERRED, ANSWERED)


class Enquiry(Base):
    """One enquiry (咨询). ``first_staff_id`` is the 首问责任人: who registered it at the window or on
    the phone; an enquiry asked online has none until it is referred on by someone. ``department_code``
    is the department it is referred to (None: the 首问 person holds it)."""

    __tablename__ = "enquiry"
    __table_args__ = (
        # The late-reply job reads the unanswered online enquiries by their due day.
        Index("ix_enquiry_state_reply_due", "state", "reply_due_on"),
        Index("ix_enquiry_received_on", "received_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(10))
    asker_name: Mapped[str] = mapped_column(String(50))
    asker_phone: Mapped[str | None] = mapped_column(String(20))
    item_code: Mapped[str | None] = mapped_column(ForeignKey("service_item.code"))
    question: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_on: Mapped[date] = mapped_column(Date)
    first_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), index=True)
    state: Mapped[str] = mapped_column(String(10))
    # An online enquiry is answered within 2 working days of its receipt (XL-06); provisional when the
    # calendar lacks the year (weekends only, like a case's due date).
    reply_due_on: Mapped[date | None] = mapped_column(Date)
    reply_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # The open referral's due day (None when it is not referred).
    referral_due_on: Mapped[date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once by the late-reply job: the day it found the reply late, and whom it charged (None: nobody
    # could be, or the center scores no XL-06).
    lapsed_on: Mapped[date | None] = mapped_column(Date)
    charged_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class EnquiryReferral(Base):
    """转办: the enquiry handed to a department with the day its answer is due."""

    __tablename__ = "enquiry_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiry.id", ondelete="CASCADE"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    due_on: Mapped[date] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(300))
    referred_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EnquiryCounter(Base):
    """The last enquiry number issued on a day; incremented atomically."""

    __tablename__ = "enquiry_counter"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
