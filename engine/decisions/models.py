"""The rows of decision documents and refusals: written once, as issued, and never rewritten
(a reprint shows what the applicant was given, whatever the catalogue says today)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class DocumentCounter(Base):
    """The last decision document number a department issued in a year; taken under its row lock."""

    __tablename__ = "document_counter"

    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class DecisionDocument(Base):
    """A 准予 / 不予行政许可决定书 as issued, and the facts of its 送达回证 once delivered."""

    __tablename__ = "decision_document"
    __table_args__ = (UniqueConstraint("department_code", "year", "serial"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    # The 文号 as printed; the department, year and serial above are what is unique.
    number: Mapped[str] = mapped_column(String(60))
    authority: Mapped[str] = mapped_column(String(100))
    case_number: Mapped[str] = mapped_column(String(32))
    applicant_name: Mapped[str] = mapped_column(String(100))
    item_code: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(200))
    item_legal_basis: Mapped[str] = mapped_column(Text)
    result_name: Mapped[str] = mapped_column(String(100))
    received_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    opinion: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # 送达回证: how the decision reached the applicant (pickup or post), when and to whom.
    delivery_method: Mapped[str | None] = mapped_column(String(10))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipient_name: Mapped[str | None] = mapped_column(String(100))
    recipient_role: Mapped[str | None] = mapped_column(String(20))
    delivery_note: Mapped[str | None] = mapped_column(String(200))
    delivery_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class RefusalRecord(Base):
    """One refusal filed in the 否决备案 register: 不予受理 or 不予许可, with its reasons."""

    __tablename__ = "refusal_record"
    __table_args__ = (
        Index("ix_refusal_record_refused_on", "refused_on"),
        Index("ix_refusal_record_department", "department_code", "refused_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    case_number: Mapped[str] = mapped_column(String(32))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    item_code: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(200))
    applicant_name: Mapped[str] = mapped_column(String(100))
    reasons: Mapped[str] = mapped_column(Text)
    document_number: Mapped[str | None] = mapped_column(String(60))
    refused_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    refused_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refused_on: Mapped[date] = mapped_column(Date)
