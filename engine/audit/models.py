"""The audit trail: who did what to which case, when, and what changed.

Entries are append-only and chained (see ``engine.audit.chain``); ``audit_chain`` holds
each chain's head, locked and advanced in the transaction that appends to the chain, so
appends to one chain queue up and removing a chain's last entry is detected too.
"""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_case", "case_id", "id"),
        Index("ix_audit_entry_actor", "actor", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(50))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    before_status: Mapped[str | None] = mapped_column(String(10))
    after_status: Mapped[str | None] = mapped_column(String(10))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # Position in its chain (1, 2, ...), the previous entry's hash, and this entry's hash.
    chain_seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The head of one chain: how long it is and its last entry."""

    __tablename__ = "audit_chain"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    length: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    # No foreign key: verification compares it with the trail; a constraint would cost a lookup per append.
    last_entry_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
