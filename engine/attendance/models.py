from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class WorkingHours(Base):
    """A season's working hours, a center setting (作息时间): ``summer`` from ``first_day`` to
    ``last_day`` ("MM-DD", both inclusive), ``winter`` the rest of the year. No row: the defaults
    of engine.attendance.service.DEFAULT_HOURS."""

    __tablename__ = "attendance_hours"

    season: Mapped[str] = mapped_column(String(10), primary_key=True)
    first_day: Mapped[str | None] = mapped_column(String(5))
    last_day: Mapped[str | None] = mapped_column(String(5))
    morning_start: Mapped[time] = mapped_column(Time)
    morning_end: Mapped[time] = mapped_column(Time)
    afternoon_start: Mapped[time] = mapped_column(Time)
    afternoon_end: Mapped[time] = mapped_column(Time)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttendanceRecord(Base):
    """One person's day: when he signed in and out (双签制), in the app or from the punch clock."""

    __tablename__ = "attendance_record"
    __table_args__ = (UniqueConstraint("staff_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # app (the person himself) or import (the punch clock's file, by ``imported_by_id``)
    source: Mapped[str] = mapped_column(String(10))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class AttendanceDay(Base):
    """A working day whose attendance has been computed and charged (the daily job skips it)."""

    __tablename__ = "attendance_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    findings: Mapped[int] = mapped_column(Integer)
