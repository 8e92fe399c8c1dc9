"""Period scores (pure: entries in, score sheet out).

Base 100 per person per period, deductions and bonuses by rule, at most 150 and never
below 0 (扣完为止); a veto entry (一票否决) sets the score to 0. The scheme's category
budgets (篇四 二: 思想品德 10 … 工作形象 10) stop a category's deductions within each month at
its budget. Grades by configurable thresholds; the excellent grade is capped at a share of
the staff scored, and nobody the scheme disqualifies (取消评优资格) is 优秀. Where staff tie
at the edge of that quota and taking them all would exceed it, none of the tied get
优秀 automatically: they are marked for the assessment group to decide.
A year is scored from its quarters (:func:`score_year`).
"""

import calendar
import math
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from engine.errors import InvalidInput
from engine.ledger.models import CATEGORIES

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
    category: str = ""
    occurred_on: date | None = None
    rule_code: str = ""
    occurrences: int = 1


@dataclass(frozen=True)
class Disqualification:
    """取消评优资格: at least ``at_least`` occurrences of ``rules`` within one month or quarter."""

    code: str
    name: str
    rules: tuple
    at_least: int
    per: str  # "month" or "quarter"


@dataclass(frozen=True)
class ScoreScheme:
    """What the active rule file says about scoring beyond its rules (engine.ledger.rules.SchemeSchema)."""

    name: str = ""
    budgets: dict = field(default_factory=dict)  # {category: points per month}
    disqualifications: tuple = ()
    routine_weight: Decimal = Decimal(1)  # 平时考评's share of the year (篇八 第二十二条)
    excellent_quarters: int | None = None  # this many 优秀 quarters make the year 优秀 (篇四 四.4)
    failed_quarters: int | None = None  # this many 不称职 quarters make the year 不称职
    quarter_bonus: Decimal = Decimal(0)  # added to the year per 优秀 quarter (篇七 加分(八))


@dataclass
class CategoryFigure:
    """One category of one row: its budget for the period (None: none), what its entries deducted
    (or added) and what of that counts after the budget."""

    budget: Decimal | None
    raw: Decimal = Decimal(0)
    counted: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget + self.counted


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
    categories: dict = field(default_factory=dict)  # {category: CategoryFigure}
    disqualified: list = field(default_factory=list)  # the disqualifications met, "QX-01 name"
    routine: Decimal | None = None  # a year: the mean of its quarters' scores
    quarter_grades: list = field(default_factory=list)  # a year: each quarter's grade

    def category_figures(self) -> list[tuple[str, CategoryFigure]]:
        """(category, figure) in the catalogue's order of categories."""
        return sorted(self.categories.items(), key=lambda item: CATEGORIES.index(item[0]))


def score_period(staff_ids: list[int], entries: list[ScoredEntry], policy: ScoringPolicy,
                 period: Period, scheme: ScoreScheme | None = None) -> list[ScoreRow]:
    """Score every listed staff member from the period's counting (not cancelled) entries."""
    scheme = scheme or ScoreScheme()
    rows = _score_rows(staff_ids, entries, policy, period, scheme)
    _disqualify(rows, entries, scheme)
    return _rank(rows, policy)


def _score_rows(staff_ids: list[int], entries: list[ScoredEntry], policy: ScoringPolicy, period: Period,
                scheme: ScoreScheme) -> dict[int, ScoreRow]:
    rows = {staff_id: ScoreRow(staff_id) for staff_id in staff_ids}
    by_month: dict[tuple, Decimal] = {}
    for entry in entries:
        row = rows.get(entry.staff_id)
        if row is None:
            continue
        row.entry_count += 1
        if entry.veto:
            row.vetoed = True
        elif entry.points < 0:
            month = (entry.occurred_on.year, entry.occurred_on.month) if entry.occurred_on else None
            key = (entry.staff_id, entry.category, month)
            by_month[key] = by_month.get(key, Decimal(0)) + entry.points
        else:
            row.bonuses += entry.points
            _figure(row, entry.category, scheme, period).raw += entry.points
            _figure(row, entry.category, scheme, period).counted += entry.points
    for (staff_id, category, _), deducted in by_month.items():
        budget = scheme.budgets.get(category)
        counted = deducted if budget is None else max(deducted, -budget)  # 扣完为止, each month
        figure = _figure(rows[staff_id], category, scheme, period)
        figure.raw += deducted
        figure.counted += counted
        rows[staff_id].deductions += counted
    for row in rows.values():
        for category in scheme.budgets:
            _figure(row, category, scheme, period)
        raw = policy.base + row.deductions + row.bonuses
        row.score = Decimal(0) if row.vetoed else min(policy.cap, max(Decimal(0), raw))
        row.grade = policy.grade_of(row.score)
        lost = max(Decimal(0), policy.base - row.score)
        row.allowance = max(Decimal(0), policy.allowance_per_month * period.months - policy.allowance_per_point * lost)
    return rows


def _figure(row: ScoreRow, category: str, scheme: ScoreScheme, period: Period) -> CategoryFigure:
    if category not in row.categories:
        budget = scheme.budgets.get(category)
        row.categories[category] = CategoryFigure(None if budget is None else budget * period.months)
    return row.categories[category]


def _disqualify(rows: dict, entries: list[ScoredEntry], scheme: ScoreScheme) -> None:
    """Mark who meets a disqualification in any month or quarter of the period."""
    for rule in scheme.disqualifications:
        counts: dict[tuple, int] = {}
        for entry in entries:
            if entry.rule_code in rule.rules and entry.occurred_on is not None:
                within = entry.occurred_on.month if rule.per == "month" else (entry.occurred_on.month - 1) // 3
                key = (entry.staff_id, entry.occurred_on.year, within)
                counts[key] = counts.get(key, 0) + entry.occurrences
        for staff_id in sorted({key[0] for key, count in counts.items() if count >= rule.at_least}):
            if staff_id in rows:
                rows[staff_id].disqualified.append(f"{rule.code} {rule.name}")


def _rank(rows: dict, policy: ScoringPolicy, settled: frozenset = frozenset()) -> list[ScoreRow]:
    """Rank the rows, then hold 优秀 to the disqualifications and the quota (``settled``: rows whose
    grade the year's quarters decided, outside both)."""
    ordered = sorted(rows.values(), key=lambda row: (-row.score, row.staff_id))
    for row in ordered:
        row.rank = 1 + sum(1 for other in ordered if other.score > row.score)
    for row in ordered:
        if row.grade == EXCELLENT and row.disqualified and row.staff_id not in settled:
            row.grade = _below_excellent(policy)
            row.notes.append("取消评优资格：" + "；".join(row.disqualified))
    _apply_excellent_quota([row for row in ordered if row.staff_id not in settled], policy, len(ordered))
    return ordered


def _below_excellent(policy: ScoringPolicy) -> str:
    return policy.grades[1][0] if len(policy.grades) > 1 else INCOMPETENT


def score_year(staff_ids: list[int], entries: list[ScoredEntry], policy: ScoringPolicy, year: Period,
               scheme: ScoreScheme | None = None) -> list[ScoreRow]:
    """A year from its quarters: routine_weight × the mean of the four quarter scores plus the rest
    × the year scored as one period (the ledger holds no other year-end appraisal), plus the
    quarter bonus for each 优秀 quarter, within 0 and the cap; a veto still makes it 0. Enough
    优秀 quarters make the year 优秀 outside the quota, enough 不称职 quarters make it 不称职."""
    scheme = scheme or ScoreScheme()
    whole = _score_rows(staff_ids, entries, policy, year, scheme)
    quarters = []
    for number in range(1, 5):
        quarter = parse_period(f"{year.label}-Q{number}")
        within = [entry for entry in entries if entry.occurred_on is None or
                  quarter.first <= entry.occurred_on <= quarter.last]
        quarters.append({row.staff_id: row for row in score_period(staff_ids, within, policy, quarter, scheme)})
    settled = set()
    weight = scheme.routine_weight
    for staff_id, row in whole.items():
        row.quarter_grades = [quarter[staff_id].grade for quarter in quarters]
        row.routine = sum((quarter[staff_id].score for quarter in quarters), Decimal(0)) / 4
        excellent = row.quarter_grades.count(EXCELLENT)
        failed = row.quarter_grades.count(INCOMPETENT)
        bonus = scheme.quarter_bonus * excellent
        if not row.vetoed:
            mixed = weight * row.routine + (1 - weight) * row.score + bonus
            row.score = min(policy.cap, max(Decimal(0), mixed)).quantize(Decimal("0.1"))
        row.grade = policy.grade_of(row.score)
        if scheme.failed_quarters and failed >= scheme.failed_quarters:
            row.grade = INCOMPETENT
            row.disqualified.append(f"{failed} 个季度不称职")
            row.notes.append(f"{failed} 个季度不称职：年度不称职，取消评优资格")
            settled.add(staff_id)
        elif scheme.excellent_quarters and excellent >= scheme.excellent_quarters and not row.vetoed:
            row.grade = EXCELLENT
            row.notes.append(f"{excellent} 个季度优秀：年度优秀（不占名额）")
            settled.add(staff_id)
    _disqualify(whole, entries, scheme)
    return _rank(whole, policy, frozenset(settled))


def _apply_excellent_quota(ordered: list[ScoreRow], policy: ScoringPolicy, scored: int | None = None) -> None:
    quota = math.floor(policy.excellent_share * (len(ordered) if scored is None else scored))
    candidates = [row for row in ordered if row.grade == EXCELLENT]
    if len(candidates) <= quota:
        return
    cutoff = candidates[quota - 1].score if quota else None
    tied_over = quota and candidates[quota].score == cutoff
    next_grade = _below_excellent(policy)
    for position, row in enumerate(candidates):
        if position < quota and not (tied_over and row.score == cutoff):
            continue
        row.grade = next_grade
        if tied_over and row.score == cutoff:
            row.quota_tie = True
            row.notes.append(f"与其他人员同分并列优秀名额边界（名额 {quota}），由考核小组确定")
        else:
            row.notes.append(f"超出优秀名额（{quota} 名）")
