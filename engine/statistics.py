"""The statistics a center reports every month, quarter and year (月统计, 季通报), by department,
item or person, counted by the database from the rows the engine keeps (docs/rules.md,
"Statistics reports", gives each definition and its source).

Each figure counts the events of the period by their China-local day:
收件 received, 受理 accepted (deemed acceptance included), 不予受理 closed as not accepted,
一次性告知 given a one-time notice (counted on the day of the case's latest notice), 办结
decided; 按期办结率 the decided on or before their due day; 超期件数 the decided after their due
day plus the undecided whose due day fell in the period and has passed; 现场办结率 as the
board counts it (engine/cases/stats.py); the 即办件 time from registration to the window's
decision against the 30-minute target (seed 004 篇五); 满意度 as engine/supervision/ratings.py;
差评整改率 the real bad ratings whose rectification is closed; complaints received and replied
by their due day; the 政务专递 parcels due in the period delivered by their day
(engine/deadlines/board.py).

By person, each figure belongs to the person who did what it counts: 收件, 受理, 不予受理, 一次性告知,
现场办结 and the 即办件 time to the window clerk who registered the case; 办结, 按期办结 and 超期 to
the person who completed the deciding step (the human task closed in the step that set the
``decided`` milestone), an undecided case past its due day to the person who claimed its open step
(the None row while nobody has); a rating to who is responsible for it, a complaint to the person
complained of, a parcel to the clerk who handed it over.
"""

from dataclasses import dataclass, fields
from datetime import date, timedelta
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.cases.models import Case
from engine.cases.stats import IMMEDIATE, china_date, minutes_between
from engine.catalogue.models import Department, ServiceItem
from engine.clock import local_datetime
from engine.delivery.models import PostalParcel
from engine.errors import InvalidInput
from engine.exports import xlsx_row
from engine.ledger.scores import Period
from engine.permissions import CaseScope
from engine.staff.models import Staff
from engine.supervision.models import (
    BAD_RATINGS,
    GOOD_RATINGS,
    NOT_REAL,
    PENDING,
    REAL,
    RECTIFIED,
    CaseRating,
    Complaint,
    Rectification,
)
from engine.supervision.ratings import Satisfaction
from engine.tasks.models import COMPLETED, OPEN, HumanTask

DEPARTMENT, ITEM, STAFF = "department", "item", "staff"
GROUPINGS = (DEPARTMENT, ITEM, STAFF)
# Seed 004 篇五: 即办件 现场一般30分钟内办结.
IMMEDIATE_TARGET_MINUTES = 30
NOT_ACCEPTED = "not_accepted"


@dataclass
class Figures:
    """One row of the report (a department, an item, a person, or the total)."""

    key: str | int | None = None
    name: str = ""
    received: int = 0
    accepted: int = 0
    not_accepted: int = 0
    notified: int = 0
    decided: int = 0
    decided_on_time: int = 0
    overdue: int = 0
    on_site: int = 0
    immediate_decided: int = 0
    immediate_within_target: int = 0
    immediate_minutes: float = 0.0  # summed over immediate_decided
    rated: int = 0
    rated_good: int = 0
    rated_bad: int = 0
    rated_excluded: int = 0
    rated_pending: int = 0
    bad_real: int = 0
    rectified: int = 0
    complaints: int = 0
    complaints_settled: int = 0  # replied, or unreplied past the reply's due day
    complaints_on_time: int = 0
    parcels_settled: int = 0
    parcels_on_time: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def on_time_rate(self) -> float | None:
        return self._share(self.decided_on_time, self.decided)

    @property
    def on_site_rate(self) -> float | None:
        return self._share(self.on_site, self.accepted)

    @property
    def immediate_average_minutes(self) -> float | None:
        return round(self.immediate_minutes / self.immediate_decided, 1) if self.immediate_decided else None

    @property
    def immediate_target_rate(self) -> float | None:
        return self._share(self.immediate_within_target, self.immediate_decided)

    @property
    def satisfaction_rate(self) -> float | None:
        return Satisfaction(self.key, self.rated, self.rated_good, self.rated_bad, self.rated_excluded,
                            self.rated_pending).rate

    @property
    def rectification_rate(self) -> float | None:
        return self._share(self.rectified, self.bad_real)

    @property
    def complaint_reply_rate(self) -> float | None:
        return self._share(self.complaints_on_time, self.complaints_settled)

    @property
    def postal_on_time_rate(self) -> float | None:
        return self._share(self.parcels_on_time, self.parcels_settled)


COUNTED = tuple(f.name for f in fields(Figures) if f.name not in ("key", "name"))


@dataclass(frozen=True)
class Report:
    period: Period
    by: str
    department_code: str | None
    rows: list[Figures]
    total: Figures


def check_grouping(by) -> str:
    if by not in GROUPINGS:
        raise InvalidInput(f"统计口径须为 {'、'.join(GROUPINGS)} 之一 (by must be one of {', '.join(GROUPINGS)})",
                           field="by")
    return by


def _decider():
    """Who completed the step that decided the case: the human task closed in the same step as the
    decision (the model marks the decision on the script step after it, ``milestone: decided``)."""
    return (select(HumanTask.completed_by_id)
            .where(HumanTask.case_id == Case.id, HumanTask.state == COMPLETED,
                   HumanTask.closed_at == Case.decided_at)
            .limit(1).scalar_subquery())


def _holder():
    """Who holds the undecided case now: the person who claimed its open step (None while nobody has)."""
    return (select(HumanTask.assignee_id)
            .where(HumanTask.case_id == Case.id, HumanTask.state == OPEN, HumanTask.assignee_id.is_not(None))
            .order_by(HumanTask.created_at.desc()).limit(1).scalar_subquery())


def _keys(by: str) -> dict:
    """The column each source is grouped by: ``case`` for the window's figures, ``decided`` for the
    decisions, ``undecided`` for the cases overdue and still open."""
    if by == STAFF:
        return {"case": Case.created_by_id, "decided": _decider(), "undecided": _holder(),
                "rating": CaseRating.responsible_staff_id, "complaint": Complaint.target_staff_id,
                "parcel": PostalParcel.handed_by_id}
    column = Case.department_code if by == DEPARTMENT else Case.item_code
    return {"case": column, "decided": column, "undecided": column, "parcel": column,
            "rating": CaseRating.department_code if by == DEPARTMENT else Case.item_code,
            "complaint": Complaint.target_department_code if by == DEPARTMENT else Case.item_code}


class _Tally:
    def __init__(self):
        self.rows: dict = {}

    def add(self, key, **counts) -> None:
        row = self.rows.setdefault(key, Figures(key=key))
        for name, value in counts.items():
            setattr(row, name, getattr(row, name) + (value or 0))


def _in_days(column, period: Period):
    """A UTC datetime column within the period's China-local days (a half-open range: its index serves)."""
    return and_(column >= local_datetime(period.first), column < local_datetime(period.last + timedelta(days=1)))


def _case_figures(session: Session, tally: _Tally, keys: dict, scope: list, period: Period, today: date) -> None:
    def grouped(*columns, where, key=keys["case"]):
        return session.execute(select(key, *columns).where(*where, *scope).group_by(key))

    for row_key, count in grouped(func.count(), where=[Case.received_on.between(period.first, period.last)]):
        tally.add(row_key, received=count)
    decided_on = china_date(Case.decided_at)
    on_site = and_(Case.case_type == IMMEDIATE, Case.decided_at.is_not(None), decided_on == Case.accepted_on)
    for row_key, count, finished in grouped(func.count(), func.count().filter(on_site),
                                            where=[Case.accepted_on.between(period.first, period.last)]):
        tally.add(row_key, accepted=count, on_site=finished)
    for row_key, count in grouped(func.count(), where=[Case.outcome == NOT_ACCEPTED, _in_days(Case.closed_at, period)]):
        tally.add(row_key, not_accepted=count)
    for row_key, count in grouped(func.count(), where=[_in_days(Case.notice_issued_at, period)]):
        tally.add(row_key, notified=count)
    decided_in_period = [_in_days(Case.decided_at, period)]
    for row_key, count, on_time, late in grouped(
            func.count(), func.count().filter(decided_on <= Case.due_date), func.count().filter(decided_on > Case.due_date),
            where=decided_in_period, key=keys["decided"]):
        tally.add(row_key, decided=count, decided_on_time=on_time, overdue=late)
    immediate = Case.case_type == IMMEDIATE
    minutes = minutes_between(Case.received_at, Case.decided_at)
    for row_key, count, within, total_minutes in grouped(
            func.count(), func.count().filter(minutes <= IMMEDIATE_TARGET_MINUTES), func.sum(minutes),
            where=[*decided_in_period, immediate]):
        tally.add(row_key, immediate_decided=count, immediate_within_target=within,
                  immediate_minutes=float(total_minutes or 0))
    # Still undecided past a due day of the period (the due day itself is not yet late).
    last_passed = min(period.last, today - timedelta(days=1))
    if last_passed >= period.first:
        for row_key, count in grouped(func.count(), where=[Case.decided_at.is_(None), Case.closed_at.is_(None),
                                                           Case.due_date.between(period.first, last_passed)],
                                      key=keys["undecided"]):
            tally.add(row_key, overdue=count)


def _rating_figures(session: Session, tally: _Tally, key, department: str | None, period: Period) -> None:
    query = (select(key, CaseRating.rating, CaseRating.verification, func.count(),
                    func.count().filter(Rectification.state == RECTIFIED))
             .select_from(CaseRating).join(Case, Case.id == CaseRating.case_id)
             .outerjoin(Rectification, Rectification.rating_id == CaseRating.id)
             .where(CaseRating.rated_on.between(period.first, period.last),
                    CaseRating.rating.in_(GOOD_RATINGS + BAD_RATINGS))
             .group_by(key, CaseRating.rating, CaseRating.verification))
    if department:
        query = query.where(CaseRating.department_code == department)
    for row_key, rating, verification, count, rectified in session.execute(query):
        good = rating in GOOD_RATINGS
        real = not good and verification == REAL
        tally.add(row_key, rated=count, rated_good=count if good else 0, rated_bad=0 if good else count,
                  rated_excluded=count if verification == NOT_REAL else 0,
                  rated_pending=count if verification == PENDING else 0,
                  bad_real=count if real else 0, rectified=rectified if real else 0)


def _complaint_figures(session: Session, tally: _Tally, key, department: str | None, period: Period,
                       today: date) -> None:
    replied_on = china_date(Complaint.replied_at)
    settled = (Complaint.replied_at.is_not(None)) | (Complaint.reply_due_on < today)
    query = (select(key, func.count(), func.count().filter(settled),
                    func.count().filter(and_(Complaint.replied_at.is_not(None), replied_on <= Complaint.reply_due_on)))
             .select_from(Complaint).outerjoin(Case, Case.id == Complaint.case_id)
             .where(Complaint.received_on.between(period.first, period.last)).group_by(key))
    if department:
        query = query.where(Complaint.target_department_code == department)
    for row_key, count, due, on_time in session.execute(query):
        tally.add(row_key, complaints=count, complaints_settled=due, complaints_on_time=on_time)


def _parcel_figures(session: Session, tally: _Tally, key, department: str | None, period: Period,
                    today: date) -> None:
    on_time = and_(PostalParcel.delivered_on.is_not(None), PostalParcel.delivered_on <= PostalParcel.due_on)
    pending = and_(PostalParcel.delivered_on.is_(None), PostalParcel.due_on >= today)
    query = (select(key, func.count(), func.count().filter(pending), func.count().filter(on_time))
             .select_from(PostalParcel).join(Case, Case.id == PostalParcel.case_id)
             .where(PostalParcel.due_on.between(period.first, period.last)).group_by(key))
    if department:
        query = query.where(Case.department_code == department)
    for row_key, due, waiting, delivered in session.execute(query):
        tally.add(row_key, parcels_settled=due - waiting, parcels_on_time=delivered)


def _names(session: Session, by: str, keys) -> dict:
    wanted = [key for key in keys if key is not None]
    if not wanted:
        return {}
    model = {DEPARTMENT: (Department.code, Department.name), ITEM: (ServiceItem.code, ServiceItem.name),
             STAFF: (Staff.id, Staff.name)}[by]
    return dict(session.execute(select(*model).where(model[0].in_(wanted))).all())


def report(session: Session, scope: CaseScope, period: Period, by: str, today: date) -> Report:
    """The period's figures per department, item or person (``by``), within ``scope`` (a department or all)."""
    keys, department = _keys(check_grouping(by)), scope.department_code
    if department and session.get(Department, department) is None:
        raise InvalidInput(f"没有这个部门 (no department '{department[:20]}')", field="department")
    tally = _Tally()
    _case_figures(session, tally, keys, [Case.department_code == department] if department else [],
                  period, today)
    _rating_figures(session, tally, keys["rating"], department, period)
    _complaint_figures(session, tally, keys["complaint"], department, period, today)
    _parcel_figures(session, tally, keys["parcel"], department, period, today)
    names = _names(session, by, tally.rows)
    rows = sorted(tally.rows.values(), key=lambda row: (row.key is None, str(row.key)))
    for row in rows:
        row.name = names.get(row.key, "" if row.key is None else str(row.key))
    total = Figures(key=None, name="合计")
    for row in rows:
        for name in COUNTED:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return Report(period=period, by=by, department_code=department, rows=rows, total=total)


# The report's columns, in the order the sheet and the page show them: (heading, Figures attribute).
COLUMNS = (
    ("收件", "received"), ("受理", "accepted"), ("不予受理", "not_accepted"), ("一次性告知", "notified"),
    ("办结", "decided"), ("按期办结", "decided_on_time"), ("按期办结率(%)", "on_time_rate"), ("超期件数", "overdue"),
    ("现场办结", "on_site"), ("现场办结率(%)", "on_site_rate"), ("即办件办结", "immediate_decided"),
    ("即办件平均用时(分钟)", "immediate_average_minutes"),
    (f"即办件{IMMEDIATE_TARGET_MINUTES}分钟内办结率(%)", "immediate_target_rate"),
    ("评价数", "rated"), ("差评", "rated_bad"), ("满意度(%)", "satisfaction_rate"), ("属实差评", "bad_real"),
    ("已整改", "rectified"), ("差评整改率(%)", "rectification_rate"), ("投诉", "complaints"),
    ("投诉按期答复率(%)", "complaint_reply_rate"), ("应送达邮件", "parcels_settled"),
    ("按时送达", "parcels_on_time"), ("邮寄按时送达率(%)", "postal_on_time_rate"),
)
GROUP_HEADINGS = {DEPARTMENT: "部门", ITEM: "事项", STAFF: "人员"}


def row_values(row: Figures) -> list:
    return [getattr(row, attribute) for _heading, attribute in COLUMNS]


def workbook(result: Report, title: str) -> bytes:
    """The report as an Excel sheet: a title line, the headings, a row per group and the total."""
    book = Workbook()
    sheet = book.active
    sheet.title = "统计报表"
    sheet.append(xlsx_row(sheet, [title]))
    sheet.append(xlsx_row(sheet, [GROUP_HEADINGS[result.by], *(heading for heading, _ in COLUMNS)]))
    for row in [*result.rows, result.total]:
        values = ["" if value is None else value for value in row_values(row)]
        sheet.append(xlsx_row(sheet, [row.name, *values]))
    sheet.column_dimensions["A"].width = 24
    sheet.freeze_panes = "B3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
