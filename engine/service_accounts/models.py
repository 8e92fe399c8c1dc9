"""A service account and its bearer tokens: rows of their own, never a staff account's."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class ServiceAccount(Base):
    """A system that calls the API (the provincial platform), with the scopes it may ask a token for.

    The secret is random (256 bits) and shown once; only its SHA-256 is kept (engine/service_accounts/service.py
    says why a password hash is not needed)."""

    __tablename__ = "service_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # Space-separated, as OAuth2 writes scopes.
    scopes: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # NULL: made on the server's own command line (onewindow service-account create).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rotated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class ServiceToken(Base):
    """A bearer token issued to a service account for its scopes; stored hashed, ends at ``expires_at``
    or when ended (a rotated secret, a deactivated account)."""

    __tablename__ = "service_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("service_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
