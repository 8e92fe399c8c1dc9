"""The case register (办件台账): every case a person may see, filtered, searched, sorted and a page
at a time, with its total; and the same list as an Excel sheet.

Who sees which cases is engine.permissions.case_scope. The search ``q`` finds any part of the
case number, the applicant's name, phone or ID number; on PostgreSQL trigram indexes
(pg_trgm, migration 0018) answer it, on SQLite a LIKE scan. A query of two characters is
too short for a trigram: it finds names that begin with it (a two-character name is whole).
Every page is ordered by a column with an index, so PostgreSQL reads a page from the index.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from engine import masking
from engine.actor import Actor
from engine.cases.models import Case
from engine.cases.stats import china_date
from engine.catalogue.models import Department, ServiceItem
from engine.clock import beijing, local_datetime
from engine.deadlines.states import RED
from engine.errors import InvalidInput
from engine.exports import xlsx_row
from engine.permissions import CaseScope, case_scope
from engine.roles import DEPARTMENT_ROLES
from engine.staff.models import ServiceWindow
from engine.tasks.models import HumanTask

PER_PAGE, MAX_PER_PAGE, LAST_PAGE = 50, 200, 10000
EXPORT_LIMIT = 20000  # rows in one sheet; a longer list is narrowed first
MIN_QUERY, MAX_QUERY, TRIGRAM = 2, 32, 3
SORTS = {
    "-received": (Case.received_at.desc(), Case.id.desc()),
    "received": (Case.received_at.asc(), Case.id.asc()),
    "-number": (Case.number.desc(),),
    "number": (Case.number.asc(),),
}
DATE_RANGES = ("received", "accepted", "decided")


@dataclass(frozen=True)
class RegisterQuery:
    q: str | None = None
    status: str | None = None
    item: str | None = None
    department: str | None = None
    case_type: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    accepted_from: date | None = None
    accepted_to: date | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    overdue: bool | None = None
    clerk: int | None = None
    approver: int | None = None
    sort: str = "-received"
    page: int = 1
    per_page: int = PER_PAGE

    def __post_init__(self):
        if self.q is not None and not MIN_QUERY <= len(self.q.strip()) <= MAX_QUERY:
            raise InvalidInput(f"搜索内容须为 {MIN_QUERY}-{MAX_QUERY} 个字符 (q must be {MIN_QUERY} to {MAX_QUERY} "
                               "characters)", field="q")
        if self.sort not in SORTS:
            raise InvalidInput(f"排序只能是 {'、'.join(SORTS)} (sort must be one of {', '.join(SORTS)})", field="sort")
        if not 1 <= self.page <= LAST_PAGE:
            raise InvalidInput(f"页码须为 1-{LAST_PAGE} (page must be from 1 to {LAST_PAGE})", field="page")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidInput(f"每页条数须为 1-{MAX_PER_PAGE} (per_page must be from 1 to {MAX_PER_PAGE})",
                               field="per_page")
        for name in DATE_RANGES:
            first, last = getattr(self, f"{name}_from"), getattr(self, f"{name}_to")
            if first and last and first > last:
                raise InvalidInput(f"起始日期不能晚于截止日期 ({name}_from is after {name}_to)", field=f"{name}_from")


def window_clerks(session: Session, staff_id: int) -> frozenset[int]:
    """The clerk and everyone posted with him at his windows (A and B posts, AB岗)."""
    posts = (ServiceWindow.a_staff_id, ServiceWindow.b_staff_id, ServiceWindow.b2_staff_id)
    rows = session.execute(select(*posts).where(or_(*(post == staff_id for post in posts)))).all()
    return frozenset({staff_id} | {staff for row in rows for staff in row if staff is not None})


def scope(session: Session, actor: Actor, department: str | None = None) -> CaseScope:
    """Which cases ``actor`` reads in the register and the reports (engine.permissions.case_scope)."""
    return case_scope(actor, department, lambda: window_clerks(session, actor.id))


@dataclass(frozen=True)
class RegisterPage:
    total: int
    page: int
    per_page: int
    cases: list[Case]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search(q: str):
    q = q.strip()
    if len(q) < TRIGRAM:
        return Case.applicant_name.like(_like(q) + "%", escape="\\")
    pattern = f"%{_like(q)}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in
                 (Case.number, Case.applicant_name, Case.applicant_phone, Case.applicant_id_number)))


def _overdue():
    """Decided after its due day, or still open and past it (red: the deadline sweep keeps it current)."""
    decided_late = and_(Case.decided_at.is_not(None), china_date(Case.decided_at) > Case.due_date)
    open_late = and_(Case.decided_at.is_(None), Case.closed_at.is_(None), Case.deadline_state == RED)
    return or_(decided_late, open_late)


def _decided_by(staff_id: int):
    """A back-office step of the case the person completed or holds now."""
    return exists().where(HumanTask.case_id == Case.id, HumanTask.role.in_(DEPARTMENT_ROLES),
                          or_(HumanTask.completed_by_id == staff_id, HumanTask.assignee_id == staff_id))


def conditions(scope: CaseScope, query: RegisterQuery) -> list:
    where = []
    if scope.department_code:
        where.append(Case.department_code == scope.department_code)
    if scope.registered_by is not None:
        where.append(Case.created_by_id.in_(sorted(scope.registered_by)))
    if query.department and query.department != scope.department_code:
        where.append(Case.department_code == query.department)
    for value, column in ((query.status, Case.status), (query.item, Case.item_code),
                          (query.case_type, Case.case_type), (query.clerk, Case.created_by_id)):
        if value is not None:
            where.append(column == value)
    if query.q:
        where.append(_search(query.q))
    if query.received_from:
        where.append(Case.received_on >= query.received_from)
    if query.received_to:
        where.append(Case.received_on <= query.received_to)
    if query.accepted_from:
        where.append(Case.accepted_on >= query.accepted_from)
    if query.accepted_to:
        where.append(Case.accepted_on <= query.accepted_to)
    # decided_at is a UTC instant: the China-local days as a half-open range keep its index usable.
    if query.decided_from:
        where.append(Case.decided_at >= local_datetime(query.decided_from))
    if query.decided_to:
        where.append(Case.decided_at < local_datetime(query.decided_to + timedelta(days=1)))
    if query.overdue is not None:
        where.append(_overdue() if query.overdue else ~_overdue())
    if query.approver is not None:
        where.append(_decided_by(query.approver))
    return where


def _check_choices(session: Session, query: RegisterQuery) -> None:
    if query.department and session.get(Department, query.department) is None:
        raise InvalidInput(f"没有这个部门 (no department '{query.department[:20]}')", field="department")
    if query.item and session.get(ServiceItem, query.item) is None:
        raise InvalidInput(f"没有这个事项 (no service item '{query.item[:20]}')", field="item")


def page(session: Session, scope: CaseScope, query: RegisterQuery) -> RegisterPage:
    _check_choices(session, query)
    where = conditions(scope, query)
    total = session.scalar(select(func.count()).select_from(Case).where(*where))
    rows = list(session.scalars(select(Case).where(*where).order_by(*SORTS[query.sort])
                                .limit(query.per_page).offset((query.page - 1) * query.per_page)))
    return RegisterPage(total=total, page=query.page, per_page=query.per_page, cases=rows)


def export_rows(session: Session, scope: CaseScope, query: RegisterQuery) -> list[Case]:
    """Every case of the filtered list, for the sheet; refused when there are more than EXPORT_LIMIT."""
    _check_choices(session, query)
    where = conditions(scope, query)
    total = session.scalar(select(func.count()).select_from(Case).where(*where))
    if total > EXPORT_LIMIT:
        raise InvalidInput(f"导出不超过 {EXPORT_LIMIT} 件，请缩小筛选范围 (at most {EXPORT_LIMIT} cases per export; "
                           f"narrow the filters)", field="received_from")
    return list(session.scalars(select(Case).where(*where).order_by(*SORTS[query.sort])))


HEADER = ["办件编号", "事项编码", "事项名称", "部门", "办件类型", "申请人", "证件号码", "联系电话", "状态",
          "收件时间", "受理日期", "承诺办结日期", "办结时间", "办理结果", "警示"]
WIDTHS = [20, 12, 28, 16, 10, 20, 22, 16, 10, 18, 12, 12, 18, 10, 8]
_STATES = {"normal": "正常", "yellow": "黄牌", "red": "红牌"}


_DECISIONS = {"approve": "准予许可", "reject": "不予许可"}


def _when(value: datetime | None) -> str:
    return beijing(value) if value else ""


def workbook(actor: Actor, rows: list[Case], item_names: dict[str, str], department_names: dict[str, str],
             title: str) -> bytes:
    """The sheet of the filtered list; ID and phone numbers as engine.masking shows them to ``actor``."""
    book = Workbook()
    sheet = book.active
    sheet.title = "办件台账"
    sheet.append(xlsx_row(sheet, [title]))
    sheet.append(xlsx_row(sheet, HEADER))
    for case in rows:
        applicant = masking.applicant(actor, case)
        sheet.append(xlsx_row(sheet, [
            case.number, case.item_code, item_names.get(case.item_code, ""),
            department_names.get(case.department_code, case.department_code), case.case_type, case.applicant_name,
            applicant["id_number"], applicant["phone"], case.status, _when(case.received_at),
            case.accepted_on.isoformat() if case.accepted_on else "", case.due_date.isoformat() if case.due_date else "",
            _when(case.decided_at), _DECISIONS.get(case.decision, case.decision or ""), _STATES.get(case.deadline_state, case.deadline_state)]))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
