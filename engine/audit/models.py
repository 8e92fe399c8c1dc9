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
