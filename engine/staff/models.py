from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sign-in: a salted password hash. Failed attempts are counted per username and source
    # in SignInFailure, never on the account, so nobody can lock an account from elsewhere.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # A session cookie names the epoch it was issued in; signing out moves the epoch on, so
    # every copy of every earlier cookie of this account stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiToken(Base):
    """One bearer token of one device: only its SHA-256 is kept; it dies idle, at its end, or when ended."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # sign_out, ended (by its owner), admin, password, deactivated
    end_reason: Mapped[str | None] = mapped_column(String(20))


class SignInFailure(Base):
    """Failed sign-ins of a username from one source, or from everywhere (``source`` ''), and the
    refusal window they earned. Keyed by the name typed, so an unknown name is treated alike."""

    __tablename__ = "sign_in_failure"

    username: Mapped[str] = mapped_column(String(50), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    refused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

class ServiceWindow(Base):
    """A window of the hall with its A post and its B post (AB岗): B takes over A's work while A is away.

    ``department_code`` None is a comprehensive window (综合窗口). A person is the A post of one
    window at most, so an A person's absences are that window's absences.
    """

    __tablename__ = "service_window"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    a_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), unique=True)
    b_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PostAbsence(Base):
    """A's absence as the supervisor recorded it: B covers A from ``starts_on`` to ``ends_on`` inclusive."""

    __tablename__ = "post_absence"
    __table_args__ = (
        # Overlap and yearly totals read one person's absences; cover reads one B's.
        Index("ix_post_absence_a_staff", "a_staff_id", "starts_on"),
        Index("ix_post_absence_b_staff", "b_staff_id", "ends_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_code: Mapped[str] = mapped_column(ForeignKey("service_window.code"))
    a_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    b_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
