"""Windows and seconding departments scored from their people (read only).

A window's month: the mean score of its posts (A and B: the AB岗 share its work) weighed with
its satisfaction rate — the share of good ratings of the cases its posts answer for, bad ones
found not real excluded (国办发〔2019〕51号) — by the active scheme's ``satisfaction_weight``;
the best ``excellent_windows`` are 优秀窗口, the most satisfied window with enough ratings holds
the 流动红旗 (seed 003 5: 优质服务流动红旗制, by the service users' ratings).
A seconding department (派出部门): its staff's mean score plus the deductions against the
department itself (seed 001 第十三条(二)), and the feedback report to it (考核结果向派出部门反馈,
seed 003 10, seed 004 篇八 第二十二条).
This module reads the ledger and the ratings, which import each other's neighbours: it sits
above both as an aggregator.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from engine.actor import Actor
from engine.catalogue.models import Department
from engine.context import EngineContext
from engine.errors import NotFound
from engine.ledger import service as ledger_service
from engine.ledger.book import EntryLine, LedgerBook, ScoreSheet, department_lines
from engine.ledger.rules import active_scheme
from engine.permissions import require_supervisor
from engine.staff.models import ServiceWindow
from engine.supervision.models import BAD_RATINGS, GOOD_RATINGS, NOT_REAL, CaseRating

TENTH = Decimal("0.1")


@dataclass
class WindowRow:
    code: str
    name: str
    department_code: str | None
    staff_ids: list[int]
    staff_score: Decimal | None  # the mean of its posts' scores
    ratings: int = 0  # ratings that count (bad ones found not real excluded)
    satisfied: int = 0
    score: Decimal | None = None
    rank: int = 0
    excellent: bool = False  # 优秀窗口
    red_flag: bool = False  # 流动红旗

    @property
    def satisfaction(self) -> Decimal | None:
        """Percent of good ratings (None: no rating counted)."""
        return (Decimal(100) * self.satisfied / self.ratings).quantize(TENTH) if self.ratings else None


@dataclass
class DepartmentRow:
    code: str
    name: str
    staff_ids: list[int]
    staff_score: Decimal | None
    staff_deductions: Decimal = Decimal(0)  # what its people's entries counted
    own_deductions: Decimal = Decimal(0)  # against the department itself (第十三条(二))
    excellent: int = 0  # its people graded 优秀
    score: Decimal | None = None
    rank: int = 0


@dataclass(frozen=True)
class Feedback:
    """The report to one seconding department: its row, its people's rows and entries, its own entries."""

    department: DepartmentRow
    sheet: ScoreSheet
    rows: list  # the department's people's ScoreRows, best first
    windows: dict[int, str]  # staff id -> the window names of his posts
    entries: list[EntryLine]
    department_entries: list = field(default_factory=list)


class UnitScores:
    def __init__(self, context: EngineContext, ledger: LedgerBook):
        self.context, self.ledger = context, ledger

    def windows(self, actor: Actor, period) -> tuple[ScoreSheet, list[WindowRow]]:
        require_supervisor(actor, "为窗口评分", "score the windows")
        sheet = self.ledger.scores(period)
        scores = {row.staff_id: row.score for row in sheet.rows}
        with self.context.session() as session:
            settings = active_scheme(session)["windows"]
            windows = list(session.scalars(select(ServiceWindow).where(ServiceWindow.active.is_(True))
                                           .order_by(ServiceWindow.code)))
            ratings = session.execute(
                select(CaseRating.responsible_staff_id, CaseRating.rating, CaseRating.verification)
                .where(CaseRating.rated_on >= sheet.period.first, CaseRating.rated_on <= sheet.period.last,
                       CaseRating.responsible_staff_id.is_not(None))).all()
        rows = []
        for window in windows:
            posts = [staff_id for staff_id in (window.a_staff_id, window.b_staff_id, window.b2_staff_id)
                     if staff_id is not None]
            row = WindowRow(window.code, window.name, window.department_code, posts, _mean(scores, posts))
            for staff_id, rating, verification in ratings:
                if staff_id in posts and (rating in GOOD_RATINGS or
                                          (rating in BAD_RATINGS and verification != NOT_REAL)):
                    row.ratings += 1
                    row.satisfied += rating in GOOD_RATINGS
            row.score = _window_score(row, settings["satisfaction_weight"])
            rows.append(row)
        _rank(rows)
        for row in rows:
            row.excellent = row.score is not None and row.rank <= settings["excellent_windows"]
        flagged = [row for row in rows if row.ratings and row.ratings >= settings["red_flag_min_ratings"]]
        if flagged:
            max(flagged, key=lambda row: (row.satisfaction, row.score or 0, _reverse(row.code))).red_flag = True
        return sheet, rows

    def departments(self, actor: Actor, period) -> tuple[ScoreSheet, list[DepartmentRow]]:
        require_supervisor(actor, "为派出部门评分", "score the seconding departments")
        sheet = self.ledger.scores(period)
        with self.context.session() as session:
            departments = list(session.scalars(select(Department).order_by(Department.code)))
            own = ledger_service.department_totals(session, sheet.period.first, sheet.period.last)
        rows = []
        for department in departments:
            people = [row for row in sheet.rows if sheet.staff[row.staff_id].department_code == department.code]
            row = DepartmentRow(department.code, department.name, [person.staff_id for person in people],
                                _mean({person.staff_id: person.score for person in people},
                                      [person.staff_id for person in people]))
            row.staff_deductions = sum((person.deductions for person in people), Decimal(0))
            row.own_deductions = own.get(department.code, Decimal(0))
            row.excellent = sum(1 for person in people if person.grade == "优秀")
            if row.staff_score is not None:
                row.score = max(Decimal(0), row.staff_score + row.own_deductions)
            rows.append(row)
        _rank(rows)
        return sheet, rows

    def feedback(self, actor: Actor, period, department_code) -> Feedback:
        require_supervisor(actor, "向派出部门反馈考核结果", "send the assessment results to a seconding department")
        sheet, rows = self.departments(actor, period)
        department = next((row for row in rows if row.code == department_code), None)
        if department is None:
            raise NotFound(f"未找到部门 '{department_code}' (no department '{department_code}')", field="department")
        people = [row for row in sheet.rows if row.staff_id in department.staff_ids]
        with self.context.session() as session:
            names: dict[int, list[str]] = {}
            for window in session.scalars(select(ServiceWindow).where(ServiceWindow.active.is_(True))
                                          .order_by(ServiceWindow.code)):
                for staff_id in (window.a_staff_id, window.b_staff_id, window.b2_staff_id):
                    names.setdefault(staff_id, []).append(window.name)
            own = department_lines(session, department_code, sheet.period.first, sheet.period.last)
        entries = [line for line in self.ledger.entries(actor, period, department_code=department_code)
                   if line.entry.staff_id in department.staff_ids]
        return Feedback(department, sheet, people, {staff_id: "、".join(found) for staff_id, found in names.items()},
                        entries, own)


def _mean(scores: dict, staff_ids: list[int]) -> Decimal | None:
    known = [scores[staff_id] for staff_id in staff_ids if staff_id in scores]
    return (sum(known, Decimal(0)) / len(known)).quantize(TENTH) if known else None


def _window_score(row: WindowRow, weight: Decimal) -> Decimal | None:
    if row.staff_score is None:
        return row.satisfaction
    if row.satisfaction is None:
        return row.staff_score
    return ((1 - weight) * row.staff_score + weight * row.satisfaction).quantize(TENTH)


def _rank(rows: list) -> None:
    """Best first; equal scores share a rank; rows without a score last."""
    rows.sort(key=lambda row: (row.score is None, -(row.score or 0), row.code))
    for row in rows:
        row.rank = 1 + sum(1 for other in rows if other.score is not None and row.score is not None
                           and other.score > row.score) if row.score is not None else len(rows)


def _reverse(code: str) -> tuple:
    """A key that puts the smaller code first under ``max``."""
    return tuple(-ord(char) for char in code)
