from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    # The primary role (home page, queues by role); ``extra_roles`` the further ones a person may
    # hold with it, space-separated (engine.roles.ALLOWED_COMBINATIONS, docs/rules.md).
    role: Mapped[str] = mapped_column(String(20))
    extra_roles: Mapped[str] = mapped_column(String(60), default="", server_default="")
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sign-in: a salted password hash. Failed attempts are counted per username and source
    # in SignInFailure, never on the account, so nobody can lock an account from elsewhere.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # A session cookie names the epoch it was issued in; signing out moves the epoch on, so
    # every copy of every earlier cookie of this account stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Demo accounts share a published password: production makes each choose its own.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A one-time (or reset) password must be replaced at the next sign-in, and stops working at
    # ``password_expires_at``; ``password_changed_at`` is when the person last chose one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The staff file (情况表): seconded from (派出单位), post title (职务), phone, the days the person
    # joined the hall (进驻) and leaves it (调离), and when that leaving was announced.
    seconding_unit: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    joined_on: Mapped[date | None] = mapped_column(Date)
    leaves_on: Mapped[date | None] = mapped_column(Date)
    leave_announced_on: Mapped[date | None] = mapped_column(Date)

    @property
    def roles(self) -> tuple[str, ...]:
        return (self.role, *self.extra_roles.split())


class ChiefAuthorisation(Base):
    """A chief representative's written authorisation (授权书): what the department lets him decide in
    the hall, from when to when, and who signed it."""

    __tablename__ = "chief_authorisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    scope: Mapped[str] = mapped_column(String(500))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(String(100))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffRuleOverride(Base):
    """The supervisor's decision to let a staff rule's warning stand (seed 004 篇九), with the reason."""

    __tablename__ = "staff_rule_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(30))
    # The person the warning is about, or the department (a chief representative missing).
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    reason: Mapped[str] = mapped_column(String(300))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)



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
    """A window of the hall with its A post and one or two B posts (AB岗): B takes over A's work while A is away.

    ``department_code`` None is a comprehensive window (综合窗口). A person is the A post of one
    window at most, so an A person's absences are that window's absences.
    """

    __tablename__ = "service_window"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    a_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), unique=True)
    b_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # Seed 004 篇九 第六条: one or two stand-ins (一至二名备选人员).
    b2_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # comprehensive (综合窗口), category (分类综合窗口, with its ``category``) or department (部门窗口).
    kind: Mapped[str] = mapped_column(String(20), default="comprehensive", server_default="comprehensive")
    category: Mapped[str | None] = mapped_column(String(50))
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
