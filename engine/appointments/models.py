from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class AppointmentSlot(Base):
    """A time slot of a window's working day with the places it offers (the administrator sets them)."""

    __tablename__ = "appointment_slot"
    __table_args__ = (UniqueConstraint("window_code", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_code: Mapped[str] = mapped_column(ForeignKey("service_window.code"))
    # Beijing wall-clock times of every working day.
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Appointment(Base):
    """One applicant's place in a slot on a day, for an item; booked online, by phone or in person."""

    __tablename__ = "appointment"
    __table_args__ = (
        # One person holds one place per item and day: ``holder`` is his ID number while the booking
        # holds its place, None once cancelled (NULLs never collide, on either database).
        UniqueConstraint("item_code", "day", "holder"),
        Index("ix_appointment_slot_day", "slot_id", "day"),
        Index("ix_appointment_window_day", "window_code", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What the applicant is given: he cancels with it and his phone number.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("appointment_slot.id"))
    window_code: Mapped[str] = mapped_column(ForeignKey("service_window.code"))
    day: Mapped[date] = mapped_column(Date)
    # The slot's times when booked: a later change of the slot does not move a booking.
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    item_code: Mapped[str] = mapped_column(ForeignKey("service_item.code"))
    # online, phone or in_person (网上预约、电话预约、当面预约).
    channel: Mapped[str] = mapped_column(String(12))
    applicant_kind: Mapped[str] = mapped_column(String(20))
    applicant_name: Mapped[str] = mapped_column(String(100))
    id_type: Mapped[str] = mapped_column(String(30))
    id_number: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(120), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    holder: Mapped[str | None] = mapped_column(String(30))
    # booked → arrived → registered; booked → no_show; booked or arrived → cancelled.
    state: Mapped[str] = mapped_column(String(12), index=True)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The clerk who booked it for the applicant (None: the applicant online).
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The case registered from it: one appointment registers one case.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"), unique=True)
