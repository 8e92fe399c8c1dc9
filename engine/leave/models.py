from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class LeaveRequest(Base):
    """A request for leave (请假) naming the colleague who covers; approved by the department, then
    by the center (双审批), closed by the return (销假)."""

    __tablename__ = "leave_request"
    __table_args__ = (Index("ix_leave_request_staff", "staff_id", "starts_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # Half days (上午/下午): "pm" starts it in the afternoon, "am" ends it at noon; the defaults are whole days.
    starts_half: Mapped[str] = mapped_column(String(2), default="am", server_default="am")
    ends_half: Mapped[str] = mapped_column(String(2), default="pm", server_default="pm")
    reason: Mapped[str] = mapped_column(String(300))
    # None: nobody covers (请假未委托, charged when the leave is approved).
    cover_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # requested → department_approved → approved (→ returned); refused at either stage, or withdrawn
    # by the requester before the center's approval: both end it.
    state: Mapped[str] = mapped_column(String(20), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    department_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    department_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    center_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    center_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The AB absence the approved leave became (only when the person is a window's A post).
    absence_id: Mapped[int | None] = mapped_column(ForeignKey("post_absence.id"))
    returned_on: Mapped[date | None] = mapped_column(Date)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused_stage: Mapped[str | None] = mapped_column(String(20))  # department or center
    refusal_reason: Mapped[str | None] = mapped_column(String(300))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
