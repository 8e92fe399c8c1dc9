from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

# open: still owed; supplied: received at the window; released: the chief representative let
# the result go without it (a broken commitment on the applicant's record).
OPEN, SUPPLIED, RELEASED = "open", "supplied", "released"


class Commitment(Base):
    __tablename__ = "case_commitment"
    __table_args__ = (Index("ix_case_commitment_applicant", "applicant_id_number", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), index=True)
    applicant_id_number: Mapped[str] = mapped_column(String(30))
    material_code: Mapped[str] = mapped_column(String(16))
    material_name: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    state: Mapped[str] = mapped_column(String(10), default=OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
