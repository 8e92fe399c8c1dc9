"""The limits of supervision: how long a rectification and a complaint's reply may take."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SupervisionPolicy:
    """Limits in working days: rectification of a real bad rating (15 by default, some localities
    set 5), the reply to a complaint, and to a complex one (政务中心投诉举报处理 第二十六条)."""

    rectification_days: int = 15
    reply_days: int = 3
    complex_reply_days: int = 5
    # An applicant not rating within this many days of receiving the result closes as 未评价
    # (ONEWINDOW_RATING_CLOSE_DAYS; calendar days, as the provincial 好差评 system counts them).
    rating_close_days: int = 15
