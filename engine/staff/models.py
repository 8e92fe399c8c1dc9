from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

CLERK = "clerk"
APPROVER = "approver"
CHIEF = "chief"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (CLERK, APPROVER, CHIEF, SUPERVISOR, ADMIN)
# Roles that belong to one department (a back-office approver, a chief representative).
DEPARTMENT_ROLES = (APPROVER, CHIEF)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sign-in: a salted scrypt hash, the run of failed attempts, and a lockout.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A session cookie names the epoch it was issued in; signing out moves the epoch on, so
    # every copy of every earlier cookie of this account stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # API access: only the SHA-256 of the token is kept.
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
