from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

SAME_CITY, IN_PROVINCE, OUT_OF_PROVINCE = "same_city", "in_province", "out_of_province"
SCOPES = (SAME_CITY, IN_PROVINCE, OUT_OF_PROVINCE)


class PostalParcel(Base):
    """The one parcel (一事一寄) carrying a case's result; late when delivered after ``due_on``."""

    __tablename__ = "postal_parcel"
    __table_args__ = (
        # The board's list of parcels not yet confirmed, oldest due first.
        Index("ix_postal_parcel_open", "due_on", postgresql_where=text("delivered_on IS NULL"),
              sqlite_where=text("delivered_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), unique=True)
    carrier: Mapped[str] = mapped_column(String(20))
    waybill_number: Mapped[str] = mapped_column(String(30), unique=True)
    scope: Mapped[str] = mapped_column(String(16))
    handed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    handed_to: Mapped[str] = mapped_column(String(50))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    signed_by: Mapped[str | None] = mapped_column(String(50))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    late: Mapped[bool | None] = mapped_column(Boolean)
