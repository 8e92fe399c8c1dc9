"""A/B posts (AB岗): each window has an A and one or two B people; while the supervisor has A recorded
as absent, B sees and acts on A's claimed and queued work.

One stint is at most 20 working days and an A person's absences at most 40 working days a
calendar year (domain.md, "Staff and the scoring ledger"). Every change is audited in its
own transaction; a refusal changes nothing.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor, Cover
from engine.audit import service as audit
from engine.calendar.workdays import WorkCalendar
from engine.catalogue.models import Department
from engine.clock import CHINA_TZ
from engine.context import EngineContext
from engine.errors import Conflict, InvalidInput, NotFound
from engine.permissions import require_supervisor, supervises
from engine.roles import CASE_WORKERS, CLERK, DEPARTMENT_ROLES
from engine.staff.models import PostAbsence, ServiceWindow, Staff
from engine.validation import as_date, is_id, text

STINT_LIMIT = 20
YEARLY_LIMIT = 40
LIST_LIMIT = 200


def staff_member(session: Session, reference, field: str) -> Staff:
    """A staff member by id or username; ``field`` names the input in the error."""
    if is_id(reference):
        staff = session.get(Staff, reference)
    elif isinstance(reference, str) and 0 < len(reference) <= 50:
        staff = session.scalar(select(Staff).where(Staff.username == reference))
    else:
        raise InvalidInput(f"请填写人员编号或用户名 ({field} must be a staff member's id or username)", field=field)
    if staff is None:
        raise NotFound(f"未找到人员 '{reference}' (no staff member '{reference}')", field=field)
    return staff




def working_days_in(calendar: WorkCalendar, first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both counted (an absence's days, not a time limit)."""
    return sum(1 for offset in range((last - first).days + 1) if calendar.is_working_day(first + timedelta(offset)))


def working_days_in_year(calendar: WorkCalendar, first: date, last: date, year: int) -> int:
    low, high = max(first, date(year, 1, 1)), min(last, date(year, 12, 31))
    return working_days_in(calendar, low, high) if low <= high else 0


def _check_calendar_knows(calendar: WorkCalendar, first: date, last: date) -> None:
    unknown = [year for year in range(first.year, last.year + 1) if year not in calendar.known_years]
    if unknown:
        year = unknown[0]
        raise InvalidInput(f"工作日历尚无 {year} 年的官方安排 (the working-day calendar does not know {year}: "
                           f"import its official schedule with 'onewindow calendar import')",
                           field="starts_on" if year == first.year else "ends_on")


def _absences_of(session: Session, staff_id: int, first: date, last: date) -> list[PostAbsence]:
    """``staff_id``'s absences (as A) that are not cancelled and touch ``first``..``last``."""
    return list(session.scalars(select(PostAbsence).where(
        PostAbsence.a_staff_id == staff_id, PostAbsence.cancelled_at.is_(None),
        PostAbsence.starts_on <= last, PostAbsence.ends_on >= first).order_by(PostAbsence.starts_on)))


def yearly_total(session: Session, calendar: WorkCalendar, staff_id: int, year: int) -> int:
    """Working days of ``year`` that ``staff_id``'s recorded absences (as A) take."""
    return sum(working_days_in_year(calendar, absence.starts_on, absence.ends_on, year)
               for absence in _absences_of(session, staff_id, date(year, 1, 1), date(year, 12, 31)))


def _window(session: Session, code, *, lock: bool = False) -> ServiceWindow:
    if not isinstance(code, str) or not 0 < len(code) <= 16:
        raise NotFound(f"未找到窗口 '{code}' (no window '{code}')", field="window_code")
    window = session.get(ServiceWindow, code, with_for_update=lock)
    if window is None:
        raise NotFound(f"未找到窗口 '{code}' (no window '{code}')", field="window_code")
    return window


def save_window(session: Session, actor: Actor, *, code, name, department_code, a_staff, b_staff,
                now: datetime, b2_staff=None, kind=None, category=None) -> ServiceWindow:
    """Define a window or replace its name, kind, department and posts. A and the one or two B posts
    hold the same role in the same department (a comprehensive window, ``department_code`` None, is
    the clerks'; a 分类综合窗口 names its category)."""
    if actor != SYSTEM:
        require_supervisor(actor, "设置窗口", "define windows")
    if not isinstance(code, str) or not 0 < len(code) <= 16 or not code.replace("-", "").isalnum():
        raise InvalidInput("编码须为 1 至 16 位字母、数字或 '-' (code must be 1-16 letters, digits or '-')", field="code")
    name = text(name, "name", max_length=50)
    if department_code is not None and session.get(Department, department_code) is None:
        raise NotFound(f"未找到部门 '{department_code}' (no department '{department_code}')", field="department_code")
    kind = kind or ("department" if department_code else "comprehensive")
    category = _check_kind(kind, department_code, category)
    a, b = staff_member(session, a_staff, "a_staff"), staff_member(session, b_staff, "b_staff")
    b2 = staff_member(session, b2_staff, "b2_staff") if b2_staff not in (None, "") else None
    if a.id == b.id:
        raise InvalidInput("A岗和B岗须为两个不同的人 (the A post and the B post must be two people)", field="b_staff")
    if b2 is not None and b2.id in (a.id, b.id):
        raise InvalidInput("第二B岗须是另一人 (the second B post must be a third person)", field="b2_staff")
    if a.role not in CASE_WORKERS:
        raise InvalidInput(f"{a.name} 的岗位不设 AB 岗 (a {a.role} holds no window post)", field="a_staff")
    expected_role = (CLERK,) if department_code is None else DEPARTMENT_ROLES
    if a.role not in expected_role or a.department_code != department_code:
        raise InvalidInput(f"{a.name} 不是该窗口所属部门的人员 ({a.username} is not staff of this window's department)",
                           field="a_staff")
    for person, field in ((b, "b_staff"), (b2, "b2_staff")):
        if person is not None and (person.role, person.department_code) != (a.role, a.department_code):
            raise InvalidInput(f"B岗须与A岗岗位和部门相同：{a.department_code or '综合窗口'} "
                               f"(the B post must have the A post's role and department: {a.role}, "
                               f"{a.department_code or 'comprehensive window'})", field=field)
    elsewhere = session.scalar(select(ServiceWindow.code).where(ServiceWindow.a_staff_id == a.id,
                                                                ServiceWindow.code != code))
    if elsewhere is not None:
        raise Conflict(f"{a.name} 已是窗口 {elsewhere} 的A岗 ({a.username} is already the A post of window {elsewhere})",
                       field="a_staff")
    window = session.get(ServiceWindow, code, with_for_update=True)
    if window is None:
        window = ServiceWindow(code=code)
        session.add(window)
    window.name, window.department_code, window.a_staff_id, window.b_staff_id, window.active = (
        name, department_code, a.id, b.id, True)
    window.b2_staff_id, window.kind, window.category = b2 and b2.id, kind, category
    session.flush()
    audit.record(session, actor=actor, action="window_save", at=now, detail={
        "window": code, "kind": kind, "category": category, "department_code": department_code,
        "a_staff_id": a.id, "b_staff_id": b.id, "b2_staff_id": window.b2_staff_id})
    return window


WINDOW_KINDS = ("comprehensive", "category", "department")


def _check_kind(kind, department_code, category) -> str | None:
    """The window's category: a 分类综合窗口 has one, the others none; a 部门窗口 has a department."""
    if kind not in WINDOW_KINDS:
        raise InvalidInput(f"窗口类型须为 {'、'.join(WINDOW_KINDS)} 之一 (kind must be one of {', '.join(WINDOW_KINDS)})",
                           field="kind")
    if (kind == "department") != (department_code is not None):
        raise InvalidInput("部门窗口须属于一个部门，综合窗口不属于部门 (a department window has a department, "
                           "a comprehensive one none)", field="department_code")
    if kind == "category":
        return text(category, "category", max_length=50)
    if category not in (None, ""):
        raise InvalidInput("只有分类综合窗口有类别 (only a category window has a category)", field="category")
    return None


def record_absence(session: Session, actor: Actor, window_code, b_staff, starts_on, ends_on, reason,
                   calendar: WorkCalendar, now: datetime) -> PostAbsence:
    """Record A's absence from ``starts_on`` to ``ends_on`` (inclusive), covered by the window's B post."""
    require_supervisor(actor, "登记离岗", "record absences")
    window = _window(session, window_code, lock=True)  # one writer per window: no overlapping twins
    b, first, last, days = check_absence(session, window, b_staff, starts_on, ends_on, calendar,
                                         now.astimezone(CHINA_TZ).date())
    reason = text(reason, "reason", max_length=300)
    absence = PostAbsence(window_code=window.code, a_staff_id=window.a_staff_id, b_staff_id=b.id, starts_on=first,
                          ends_on=last, working_days=days, reason=reason, recorded_by_id=actor.id, recorded_at=now)
    session.add(absence)
    session.flush()
    audit.record(session, actor=actor, action="absence_record", at=now, detail=_detail(absence))
    return absence


def check_absence(session: Session, window: ServiceWindow, b_staff, starts_on, ends_on, calendar: WorkCalendar,
                  today: date) -> tuple[Staff, date, date, int]:
    """The AB rules for A's absence: the cover is the window's B post and free, the days are working
    days to come, at most 20 a stint and 40 a year. Returns (B, first, last, working days); refuses
    naming the field. Leave asks it at request time too, so one rule decides both."""
    if not window.active:
        raise Conflict(f"窗口 {window.code} 已关闭 (window {window.code} is closed)", field="window_code")
    b = staff_member(session, b_staff, "b_staff")
    if b.id not in (window.b_staff_id, window.b2_staff_id):
        posted = session.get(Staff, window.b_staff_id)
        raise InvalidInput(f"{b.name}({b.username}) 不是 {window.name} 的B岗，该窗口B岗为 {posted.name}({posted.username}) "
                           f"({b.username} is not the B post of window {window.code}; its B post is "
                           f"{posted.username})", field="b_staff")
    first, last = as_date(starts_on, "starts_on"), as_date(ends_on, "ends_on")
    if first > last:
        raise InvalidInput(f"离岗结束日期 {last} 早于开始日期 {first} (the absence ends on {last}, before it starts "
                           f"on {first})", field="ends_on")
    if last < today:
        raise InvalidInput(f"离岗已于 {last} 结束，不能补登过去的离岗（今天是 {today}） "
                           f"(the absence ended on {last}, in the past; today is {today})", field="ends_on")
    _check_calendar_knows(calendar, first, last)
    days = working_days_in(calendar, first, last)
    if days == 0:
        raise InvalidInput(f"{first} 至 {last} 没有需要顶岗的工作日 ({first}..{last} has no working day to cover)",
                           field="ends_on")
    if days > STINT_LIMIT:
        raise InvalidInput(f"一次顶岗不超过 {STINT_LIMIT} 个工作日，本次 {days} 个 (one stint is at most "
                           f"{STINT_LIMIT} working days; {first}..{last} has {days})", field="ends_on")
    a = session.get(Staff, window.a_staff_id)
    clash = next(iter(_absences_of(session, a.id, first, last)), None)
    if clash is not None:
        raise Conflict(f"{a.name} 已登记 {clash.starts_on} 至 {clash.ends_on} 离岗 "
                       f"({a.username} is already recorded absent {clash.starts_on}..{clash.ends_on})", field="starts_on")
    clash = next(iter(_absences_of(session, b.id, first, last)), None)
    if clash is not None:
        raise Conflict(f"B岗 {b.name} 在 {clash.starts_on} 至 {clash.ends_on} 离岗，不能顶岗 "
                       f"(the B post {b.username} is absent {clash.starts_on}..{clash.ends_on} and cannot cover)",
                       field="b_staff")
    for year in range(first.year, last.year + 1):
        before, adding = yearly_total(session, calendar, a.id, year), working_days_in_year(calendar, first, last, year)
        if before + adding > YEARLY_LIMIT:
            raise InvalidInput(
                f"{a.name} {year} 年已离岗 {before} 个工作日，本次 {adding} 个，合计 {before + adding}，超过每年 "
                f"{YEARLY_LIMIT} 个 ({year}: {before} working days already recorded, this absence adds {adding}; "
                f"{before + adding} is over the yearly {YEARLY_LIMIT})", field="ends_on")
    return b, first, last, days


def cancel_absence(session: Session, actor: Actor, absence_id, now: datetime) -> PostAbsence:
    """Cancel an absence that has not ended (one that has stays on the record and in the totals)."""
    require_supervisor(actor, "取消离岗登记", "cancel absences")
    absence = session.get(PostAbsence, absence_id, with_for_update=True) if is_id(absence_id) else None
    if absence is None:
        raise NotFound(f"未找到离岗登记 {absence_id} (no absence {absence_id})", field="absence_id")
    if absence.cancelled_at is not None:
        raise Conflict(f"离岗登记 {absence.id} 已取消 (absence {absence.id} is already cancelled)", field="absence_id")
    if absence.ends_on < now.astimezone(CHINA_TZ).date():
        raise Conflict(f"离岗登记 {absence.id} 已于 {absence.ends_on} 结束，保留在记录中 "
                       f"(absence {absence.id} ended on {absence.ends_on}; it stays on the record)", field="absence_id")
    absence.cancelled_at, absence.cancelled_by_id = now, actor.id
    audit.record(session, actor=actor, action="absence_cancel", at=now, detail=_detail(absence))
    return absence


def end_absence(session: Session, actor: Actor, absence_id: int, back_on: date, calendar: WorkCalendar,
                now: datetime) -> PostAbsence:
    """A's return (销假) on ``back_on``: B's cover ends that day, so the absence's last day is the day
    before (and an absence he returns from before it started is cancelled). Its working days, which
    count toward the yearly limit, shrink with it; an absence already over is left as it was."""
    absence = session.get(PostAbsence, absence_id, with_for_update=True)
    if absence.cancelled_at is not None or absence.ends_on < back_on:
        return absence
    if back_on <= absence.starts_on:
        absence.cancelled_at, absence.cancelled_by_id = now, actor.id
        audit.record(session, actor=actor, action="absence_cancel", at=now, detail=_detail(absence))
        return absence
    absence.ends_on = back_on - timedelta(days=1)
    absence.working_days = working_days_in(calendar, absence.starts_on, absence.ends_on)
    audit.record(session, actor=actor, action="absence_end", at=now, detail=_detail(absence))
    return absence


def _detail(absence: PostAbsence) -> dict:
    return {"absence": absence.id, "window": absence.window_code, "a_staff_id": absence.a_staff_id,
            "b_staff_id": absence.b_staff_id, "starts_on": absence.starts_on.isoformat(),
            "ends_on": absence.ends_on.isoformat(), "working_days": absence.working_days}


# Asked on every request of a case worker: built once, like the token query (engine/staff/tokens.py).
_COVERING = (select(Staff.id, Staff.name, Staff.role, Staff.department_code)
             .join(PostAbsence, PostAbsence.a_staff_id == Staff.id)
             .where(PostAbsence.b_staff_id == bindparam("staff_id"), PostAbsence.cancelled_at.is_(None),
                    PostAbsence.starts_on <= bindparam("today"), PostAbsence.ends_on >= bindparam("today"))
             .group_by(Staff.id, Staff.name, Staff.role, Staff.department_code)
             .order_by(Staff.id))


def covering(session: Session, staff_id: int, today: date) -> list[Cover]:
    """The absent A posts ``staff_id`` covers today, as their B post."""
    return [Cover(*row) for row in session.execute(_COVERING, {"staff_id": staff_id, "today": today})]


def with_cover(session: Session, actor: Actor, today: date) -> Actor:
    """``actor`` with the A posts they cover today; built on every request, so cover ends with the absence."""
    if actor.id is None or actor.role not in CASE_WORKERS:
        return actor
    return dataclasses.replace(actor, covering=tuple(covering(session, actor.id, today)))


def windows_of(session: Session) -> list[ServiceWindow]:
    return list(session.scalars(select(ServiceWindow).order_by(ServiceWindow.department_code.nulls_first(),
                                                               ServiceWindow.code)))


ABSENCE_STATES = ("open", "all")
COMPREHENSIVE_WINDOW = "综合窗口"


@dataclass(frozen=True)
class WindowLine:
    """A window with its people, and how much of the year its A person has been away."""

    window: ServiceWindow
    department_name: str
    a_name: str
    a_username: str
    b_name: str
    b_username: str
    a_days_this_year: int
    a_absent_today: bool
    b2_name: str | None = None
    b2_username: str | None = None


@dataclass(frozen=True)
class AbsenceLine:
    absence: PostAbsence
    window_name: str
    a_name: str
    b_name: str
    recorded_by: str
    cancelled_by: str | None
    state: str  # upcoming, current, ended or cancelled


class Posts:
    """The A/B posts as ``CaseEngine.posts``: each action one transaction, each read one session."""

    def __init__(self, context: EngineContext):
        self.context = context

    def with_cover(self, actor: Actor) -> Actor:
        with self.context.session() as session:
            return with_cover(session, actor, self.context.clock.today())

    def save_window(self, actor: Actor, **fields) -> WindowLine:
        with self.context.transaction() as session:
            code = save_window(session, actor, **fields, now=self.context.clock.now()).code
        return next(line for line in self.windows(actor) if line.window.code == code)

    def windows(self, actor: Actor) -> list[WindowLine]:
        """Every window with its A and B posts (any signed-in staff member may look)."""
        today, calendar = self.context.clock.today(), self.context.calendar.get()
        with self.context.session() as session:
            rows = windows_of(session)
            ids = {row.a_staff_id for row in rows} | {row.b_staff_id for row in rows} | \
                {row.b2_staff_id for row in rows if row.b2_staff_id}
            people = {staff_id: (name, username) for staff_id, name, username in session.execute(
                select(Staff.id, Staff.name, Staff.username).where(Staff.id.in_(ids)))}
            departments = dict(session.execute(select(Department.code, Department.name)).all())
            return [WindowLine(row, departments.get(row.department_code, COMPREHENSIVE_WINDOW),
                               *people[row.a_staff_id], *people[row.b_staff_id],
                               yearly_total(session, calendar, row.a_staff_id, today.year),
                               bool(_absences_of(session, row.a_staff_id, today, today)),
                               *people.get(row.b2_staff_id, (None, None))) for row in rows]

    def absences(self, actor: Actor, state: str = "open") -> list[AbsenceLine]:
        """open: not cancelled and not over, soonest first; all: newest first. Supervisors see every
        absence, anyone else those where they are the A or the B post."""
        if state not in ABSENCE_STATES:
            raise InvalidInput(f"state must be one of {', '.join(ABSENCE_STATES)}", field="state",
                               details={"rule": "enum", "limit": list(ABSENCE_STATES)})
        query = select(PostAbsence)
        if not supervises(actor):
            query = query.where(or_(PostAbsence.a_staff_id == actor.id, PostAbsence.b_staff_id == actor.id))
        if state == "open":
            query = query.where(PostAbsence.cancelled_at.is_(None), PostAbsence.ends_on >= self.context.clock.today())
            query = query.order_by(PostAbsence.starts_on, PostAbsence.id)
        else:
            query = query.order_by(PostAbsence.starts_on.desc(), PostAbsence.id.desc())
        with self.context.session() as session:
            return self._lines(session, list(session.scalars(query.limit(LIST_LIMIT))))

    def record_absence(self, actor: Actor, *, window_code, b_staff, starts_on, ends_on, reason) -> AbsenceLine:
        with self.context.transaction() as session:
            absence = record_absence(session, actor, window_code, b_staff, starts_on, ends_on, reason,
                                     self.context.calendar.get(), self.context.clock.now())
        return self._line(absence.id)

    def cancel_absence(self, actor: Actor, absence_id) -> AbsenceLine:
        with self.context.transaction() as session:
            absence = cancel_absence(session, actor, absence_id, self.context.clock.now())
        return self._line(absence.id)

    def _line(self, absence_id: int) -> AbsenceLine:
        with self.context.session() as session:
            return self._lines(session, [session.get(PostAbsence, absence_id)])[0]

    def _lines(self, session: Session, rows: list[PostAbsence]) -> list[AbsenceLine]:
        today = self.context.clock.today()
        people = set()
        for row in rows:
            people |= {row.a_staff_id, row.b_staff_id, row.recorded_by_id, row.cancelled_by_id}
        names = _names(session, people - {None})
        windows = dict(session.execute(select(ServiceWindow.code, ServiceWindow.name)).all())
        return [AbsenceLine(row, windows[row.window_code], names[row.a_staff_id], names[row.b_staff_id],
                            names[row.recorded_by_id], names.get(row.cancelled_by_id), _state(row, today))
                for row in rows]


def _state(absence: PostAbsence, today: date) -> str:
    if absence.cancelled_at is not None:
        return "cancelled"
    if absence.starts_on > today:
        return "upcoming"
    return "current" if absence.ends_on >= today else "ended"


def _names(session: Session, ids: set) -> dict[int, str]:
    return dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all()) if ids else {}
