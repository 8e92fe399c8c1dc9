"""Period scores (pure: entries in, score sheet out).

Base 100 per person per period, deductions and bonuses by rule, at most 150 and never
below 0 (扣完为止); a veto entry (一票否决) sets the score to 0. Grades by configurable
thresholds; the excellent grade is capped at a share of the staff scored. Where staff tie
at the edge of that quota and taking them all would exceed it, none of the tied get
优秀 automatically: they are marked for the assessment group to decide.
"""

import calendar
import math
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from engine.errors import InvalidInput

EXCELLENT, COMPETENT, BASIC, INCOMPETENT = "优秀", "称职", "基本称职", "不称职"
# Ledger periods lie within these years (year 0 is no date at all).
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    label: str
    first: date
    last: date
    months: int


def parse_period(text) -> Period:
    """``2026-11`` (month), ``2026-Q4`` (quarter) or ``2026`` (year)."""
    if not isinstance(text, str):
        raise InvalidInput("期间须形如 2026-11、2026-Q4 或 2026 (period must be text like 2026-11, 2026-Q4 or 2026)",
                           field="period")
    text = text.strip()
    if re.match(r"\d{4}", text) and not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        raise InvalidInput(f"期间的年份须在 {FIRST_YEAR} 至 {LAST_YEAR} 之间 "
                           f"(period's year must be from {FIRST_YEAR} to {LAST_YEAR})", field="period")
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return Period(text, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), 1)
    elif match := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, quarter = int(match[1]), int(match[2])
        last_month = quarter * 3
        return Period(text, date(year, last_month - 2, 1),
                      date(year, last_month, calendar.monthrange(year, last_month)[1]), 3)
    elif re.fullmatch(r"\d{4}", text):
        year = int(text)
        return Period(text, date(year, 1, 1), date(year, 12, 31), 12)
    raise InvalidInput(f"期间 '{text[:20]}' 不是月份（2026-11）、季度（2026-Q4）或年份（2026） "
                       f"(period '{text[:20]}' is not a month like 2026-11, a quarter like 2026-Q4 or a year "
                       "like 2026)", field="period")


@dataclass(frozen=True)
class ScoringPolicy:
    base: Decimal = Decimal(100)
    cap: Decimal = Decimal(150)
    # (grade, lowest score) from the best grade down; below the last: 不称职.
    grades: tuple = ((EXCELLENT, Decimal(90)), (COMPETENT, Decimal(80)), (BASIC, Decimal(60)))
    excellent_share: Decimal = Decimal("0.15")
    allowance_per_month: Decimal = Decimal(100)
    allowance_per_point: Decimal = Decimal(5)

    def __post_init__(self):
        if not Decimal(0) <= self.excellent_share <= Decimal(1):
            raise InvalidInput("优秀比例须在 0 至 1 之间 (excellent_share must be between 0 and 1)",
                               field="excellent_share")
        lows = [low for _, low in self.grades]
        if lows != sorted(lows, reverse=True):
            raise InvalidInput("等次分数线须从高等次到低等次递减 (grade thresholds must fall from the best grade down)",
                               field="grades")

    def grade_of(self, score: Decimal) -> str:
        return next((grade for grade, low in self.grades if score >= low), INCOMPETENT)


@dataclass(frozen=True)
class ScoredEntry:
    staff_id: int
    points: Decimal
    veto: bool


@dataclass
class ScoreRow:
    staff_id: int
    deductions: Decimal = Decimal(0)
    bonuses: Decimal = Decimal(0)
    vetoed: bool = False
    score: Decimal = Decimal(0)
    grade: str = ""
    quota_tie: bool = False
    allowance: Decimal = Decimal(0)
    rank: int = 0
    entry_count: int = 0
    notes: list = field(default_factory=list)


def score_period(staff_ids: list[int], entries: list[ScoredEntry], policy: ScoringPolicy,
                 period: Period) -> list[ScoreRow]:
    """Score every listed staff member from the period's counting (not cancelled) entries."""
    rows = {staff_id: ScoreRow(staff_id) for staff_id in staff_ids}
    for entry in entries:
        row = rows.get(entry.staff_id)
        if row is None:
            continue
        row.entry_count += 1
        if entry.veto:
            row.vetoed = True
        elif entry.points < 0:
            row.deductions += entry.points
        else:
            row.bonuses += entry.points
    for row in rows.values():
        raw = policy.base + row.deductions + row.bonuses
        row.score = Decimal(0) if row.vetoed else min(policy.cap, max(Decimal(0), raw))
        row.grade = policy.grade_of(row.score)
        lost = max(Decimal(0), policy.base - row.score)
        row.allowance = max(Decimal(0), policy.allowance_per_month * period.months - policy.allowance_per_point * lost)
    ordered = sorted(rows.values(), key=lambda row: (-row.score, row.staff_id))
    for row in ordered:
        row.rank = 1 + sum(1 for other in ordered if other.score > row.score)
    _apply_excellent_quota(ordered, policy)
    return ordered


def _apply_excellent_quota(ordered: list[ScoreRow], policy: ScoringPolicy) -> None:
    quota = math.floor(policy.excellent_share * len(ordered))
    candidates = [row for row in ordered if row.grade == EXCELLENT]
    if len(candidates) <= quota:
        return
    cutoff = candidates[quota - 1].score if quota else None
    tied_over = quota and candidates[quota].score == cutoff
    next_grade = policy.grades[1][0] if len(policy.grades) > 1 else INCOMPETENT
    for position, row in enumerate(candidates):
        if position < quota and not (tied_over and row.score == cutoff):
            continue
        row.grade = next_grade
        if tied_over and row.score == cutoff:
            row.quota_tie = True
            row.notes.append(f"与其他人员同分并列优秀名额边界（名额 {quota}），由考核小组确定")
        else:
            row.notes.append(f"超出优秀名额（{quota} 名）")
