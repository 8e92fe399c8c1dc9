from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

LEAD, CO = "lead", "co"
AGREE, OBJECT = "agree", "object"


class JointOpinion(Base):
    """One department's countersigned (会签) opinion on a joint case."""

    __tablename__ = "joint_opinion"
    __table_args__ = (UniqueConstraint("case_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    part: Mapped[str] = mapped_column(String(4))
    position: Mapped[str] = mapped_column(String(6))
    opinion: Mapped[str] = mapped_column(Text)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
