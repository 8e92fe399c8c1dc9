"""Ratings (好差评) with their verification and rectification, and complaints (投诉)."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

GOOD_RATINGS = ("非常满意", "满意", "基本满意")
BAD_RATINGS = ("不满意", "非常不满意")
NOT_RATED = "未评价"
LEVELS = GOOD_RATINGS + BAD_RATINGS
# What the clerk's rating step records when the applicant rates himself (online, by the notice's
# link or QR code): the invitation, not a level. His own rating, before or after, is the one kept.
INVITED = "已邀请评价"
# Who gave a rating: the window's step (the clerk, or the evaluator device at the window), the
# applicant online with his notice's token, or the closing sweep (未评价 after the invitation lapsed).
WINDOW, APPLICANT, CLOSED = "window", "applicant", "closed"

# A rating's verification: good ratings need none; a bad one waits for the supervisor's verdict.
NOT_REQUIRED, PENDING, REAL, NOT_REAL = "not_required", "pending", "real", "not_real"
# Why a bad rating is not real (国办发〔2019〕51号: wrong or malicious ratings are excluded).
NOT_REAL_KINDS = ("mistaken", "malicious")
RECTIFYING, RECTIFIED = "open", "closed"

CHANNELS = ("窗口", "电话", "12345热线", "网站", "信件", "其他")
VERIFIED, NOT_VERIFIED = "verified", "not_verified"


class CaseRating(Base):
    """The applicant's rating of one case, recorded in the transaction of the rating step.

    ``responsible_staff_id`` (谁办理、谁负责) is who decided the case, proposed when the rating
    is recorded; the supervisor may name another handler of the case when verifying.
    """

    __tablename__ = "case_rating"
    __table_args__ = (
        Index("ix_case_rating_rated_on", "rated_on"),
        # The supervisor's list of bad ratings still to verify.
        Index("ix_case_rating_pending", "rated_on", postgresql_where=text("verification = 'pending'"),
              sqlite_where=text("verification = 'pending'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rated_on: Mapped[date] = mapped_column(Date)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    responsible_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    verification: Mapped[str] = mapped_column(String(12))
    not_real_kind: Mapped[str | None] = mapped_column(String(10))
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(10), default=WINDOW, server_default=WINDOW)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


# A department's contest (申诉复核, 国办发〔2019〕51号) of a bad rating: filed, then upheld or rejected.
CONTEST_FILED, CONTEST_UPHELD, CONTEST_REJECTED = "filed", "upheld", "rejected"
CONTEST_VERDICTS = (CONTEST_UPHELD, CONTEST_REJECTED)


class RatingContest(Base):
    """申诉复核: the chief representative of the rated department says a bad rating is wrong or
    malicious (``kind``: one of NOT_REAL_KINDS), with reasons; the supervisor decides. An upheld
    contest marks the rating not real, so it leaves the satisfaction rates."""

    __tablename__ = "rating_contest"
    __table_args__ = (Index("ix_rating_contest_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("case_rating.id", ondelete="CASCADE"), unique=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    kind: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class Rectification(Base):
    """整改: a verified bad rating the responsible unit must close with feedback by ``due_on``.

    ``department_code`` is the unit of the person answering for the rating: a back-office
    department, or None for the center's window (综合窗口, as on staff and windows), whose
    rectifications the center's supervisors close.
    """

    __tablename__ = "rectification"
    __table_args__ = (Index("ix_rectification_department_state", "department_code", "state", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("case_rating.id", ondelete="CASCADE"), unique=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10))
    feedback: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class Complaint(Base):
    """A complaint (投诉) about a staff member, a window or a department, from any channel."""

    __tablename__ = "complaint"
    __table_args__ = (
        # Replies still owed, by due date: the overdue list reads this range only.
        Index("ix_complaint_reply_owed", "reply_due_on", postgresql_where=text("replied_at IS NULL"),
              sqlite_where=text("replied_at IS NULL")),
        Index("ix_complaint_received_on", "received_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(10))
    complainant_name: Mapped[str] = mapped_column(String(50))
    complainant_phone: Mapped[str] = mapped_column(String(20))
    target_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    target_window: Mapped[str | None] = mapped_column(String(30))
    target_department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    complex: Mapped[bool] = mapped_column(Boolean)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_on: Mapped[date] = mapped_column(Date)
    reply_due_on: Mapped[date] = mapped_column(Date)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verdict: Mapped[str | None] = mapped_column(String(12))
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class ComplaintCounter(Base):
    """The last complaint number issued on a day; incremented atomically."""

    __tablename__ = "complaint_counter"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
