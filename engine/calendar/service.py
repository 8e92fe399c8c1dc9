"""Keeping the working-day calendar: seeding, importing a year, loading it for arithmetic."""

import csv
import io
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime

import chinese_calendar
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.calendar.models import CalendarDay, CalendarYear
from engine.calendar.workdays import WorkCalendar
from engine.errors import InvalidInput
from engine.validation import MAX_DATA_FILE_BYTES

PACKAGE_SOURCE = f"chinesecalendar {chinese_calendar.__version__}"
KINDS = {"holiday": False, "workday": True}


def _chinese_name(english: str) -> str:
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def package_years() -> set[int]:
    return {day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays}


def seed_from_package(session: Session, now: datetime) -> list[int]:
    """Copy every year the package knows and the database does not yet have; returns them."""
    have = set(session.scalars(select(CalendarYear.year)))
    years = sorted(package_years() - have)
    if not years:
        return []
    wanted = set(years)
    rows = [
        CalendarDay(day=day, is_workday=False, name=_chinese_name(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year in wanted
    ] + [
        CalendarDay(day=day, is_workday=True, name=f"{_chinese_name(name)}调休上班")
        for day, name in chinese_calendar.workdays.items()
        if day.year in wanted
    ]
    session.add_all(rows)
    session.add_all(CalendarYear(year=year, source=PACKAGE_SOURCE, imported_at=now) for year in years)
    return years


@dataclass(frozen=True)
class ScheduleRow:
    day: date
    is_workday: bool
    name: str


def parse_schedule(text: str) -> tuple[int, list[ScheduleRow]]:
    """Parse a year's official schedule: CSV with the header ``date,kind,name``.

    ``kind`` is ``holiday`` (a day off) or ``workday`` (a weekend day declared a working
    day). Every row must belong to the same year. Errors name the line.
    """
    if len(text) > MAX_DATA_FILE_BYTES:
        raise InvalidInput(f"日程文件超过 {MAX_DATA_FILE_BYTES // 1024 // 1024} MiB "
                           f"(the schedule is larger than {MAX_DATA_FILE_BYTES // 1024 // 1024} MiB)", field="file")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != ["date", "kind", "name"]:
        raise InvalidInput("日程文件须为 CSV，表头为 'date,kind,name' "
                           "(the schedule must be CSV with the header 'date,kind,name')", field="header")
    rows: list[ScheduleRow] = []
    seen: set[date] = set()
    for number, raw in enumerate(reader, start=2):
        values = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        try:
            day = date.fromisoformat(values["date"])
        except ValueError:
            raise InvalidInput(f"第 {number} 行：'{values['date']}' 不是日期（年-月-日） "
                               f"(line {number}: '{values['date']}' is not a date, YYYY-MM-DD)", field="date") from None
        kind = values["kind"]
        if kind not in KINDS:
            raise InvalidInput(f"第 {number} 行：类型须为 'holiday' 或 'workday'，不能是 '{kind}' "
                               f"(line {number}: kind must be 'holiday' or 'workday', not '{kind}')", field="kind")
        if kind == "workday" and day.weekday() < 5:
            raise InvalidInput(f"第 {number} 行：{day} 是工作日，只有周末才能调为补班日 "
                               f"(line {number}: {day} is a weekday; only a weekend day can be a make-up working "
                               "day)", field="kind")
        if not values["name"] or len(values["name"]) > 100:
            raise InvalidInput(f"第 {number} 行：名称须为 1 至 100 个字 (line {number}: name must be 1 to 100 characters)",
                               field="name")
        if day in seen:
            raise InvalidInput(f"第 {number} 行：{day} 重复列出 (line {number}: {day} is listed twice)", field="date")
        seen.add(day)
        rows.append(ScheduleRow(day, KINDS[kind], values["name"]))
    if not rows:
        raise InvalidInput("日程文件没有列出任何日期 (the schedule lists no days)", field="date")
    years = {row.day.year for row in rows}
    if len(years) != 1:
        raise InvalidInput(f"一个日程文件只含一年，该文件含 {'、'.join(map(str, sorted(years)))} "
                           f"(a schedule covers one year; this one has {', '.join(map(str, sorted(years)))})",
                           field="date")
    return years.pop(), rows


def import_schedule(session: Session, text: str, source: str, now: datetime) -> tuple[int, int]:
    """Replace one year's schedule with the rows of an official notice; returns (year, rows)."""
    year, rows = parse_schedule(text)
    session.execute(delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)))
    session.add_all(CalendarDay(day=row.day, is_workday=row.is_workday, name=row.name) for row in rows)
    known = session.get(CalendarYear, year)
    if known is None:
        session.add(CalendarYear(year=year, source=source[:200], imported_at=now))
    else:
        known.source, known.imported_at = source[:200], now
    return year, len(rows)


def load_calendar(session: Session) -> WorkCalendar:
    years = set(session.scalars(select(CalendarYear.year)))
    exceptions = {row.day: (row.is_workday, row.name) for row in session.scalars(select(CalendarDay))}
    return WorkCalendar(years, exceptions)


class CalendarCache:
    """The calendar as last read from the database, re-read after ``ttl`` seconds.

    Another process (``onewindow calendar import``) may extend the table; every process
    sees the change within ``ttl`` seconds, or at once after :meth:`invalidate`.
    """

    def __init__(self, session_factory, ttl: float = 60.0):
        self._session_factory = session_factory
        self.ttl = ttl
        self._lock = threading.Lock()
        self._calendar: WorkCalendar | None = None
        self._loaded_at = 0.0

    def get(self, max_age: float | None = None) -> WorkCalendar:
        """The calendar, re-read first if older than ``max_age`` seconds (default: the ttl)."""
        with self._lock:
            if self._calendar is None or time.monotonic() - self._loaded_at > (self.ttl if max_age is None
                                                                                   else max_age):
                with self._session_factory() as session:
                    self._calendar = load_calendar(session)
                self._loaded_at = time.monotonic()
            return self._calendar

    def invalidate(self) -> None:
        with self._lock:
            self._calendar = None


# What a day is in the calendar: a day off, a make-up working day, or neither (an ordinary day).
HOLIDAY, WORKDAY, ORDINARY = "holiday", "workday", "ordinary"


@dataclass(frozen=True)
class DayChange:
    """One day an import or correction changes: its kind and name before and after."""

    day: date
    before: str
    before_name: str
    after: str
    after_name: str


def _kinds_of_year(session: Session, year: int) -> dict[date, tuple[str, str]]:
    rows = session.scalars(select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                                     CalendarDay.day <= date(year, 12, 31)))
    return {row.day: (WORKDAY if row.is_workday else HOLIDAY, row.name) for row in rows}


def schedule_changes(session: Session, text: str) -> tuple[int, list[DayChange]]:
    """What importing ``text`` would change in its year, day by day (nothing is written)."""
    year, rows = parse_schedule(text)
    before = _kinds_of_year(session, year)
    after = {row.day: (WORKDAY if row.is_workday else HOLIDAY, row.name) for row in rows}
    changes = [DayChange(day, *before.get(day, (ORDINARY, "")), *after.get(day, (ORDINARY, "")))
               for day in sorted(set(before) | set(after)) if before.get(day) != after.get(day)]
    return year, changes


def correct_day(session: Session, day: date, kind: str, name: str) -> DayChange:
    """Correct one day of a year the calendar knows: a holiday, a make-up working day, or ordinary again."""
    if kind not in (HOLIDAY, WORKDAY, ORDINARY):
        raise InvalidInput(f"日期类型须为 holiday、workday 或 ordinary，不能是 '{kind}' "
                           f"(kind must be holiday, workday or ordinary, not '{kind}')", field="kind")
    if session.get(CalendarYear, day.year) is None:
        raise InvalidInput(f"日历中尚无 {day.year} 年：请先导入该年的日程 "
                           f"({day.year} is not in the calendar yet: import its schedule first)", field="day")
    if kind == WORKDAY and day.weekday() < 5:
        raise InvalidInput(f"{day} 是工作日，只有周末才能调为补班日 "
                           f"({day} is a weekday; only a weekend day can be a make-up working day)", field="kind")
    name = (name or "").strip()
    if kind != ORDINARY and not 1 <= len(name) <= 100:
        raise InvalidInput("名称须为 1 至 100 个字 (name must be 1 to 100 characters)", field="name")
    row = session.get(CalendarDay, day)
    change = DayChange(day, *((WORKDAY if row.is_workday else HOLIDAY, row.name) if row else (ORDINARY, "")),
                       kind, name if kind != ORDINARY else "")
    if kind == ORDINARY:
        if row is not None:
            session.delete(row)
    else:
        row = row or CalendarDay(day=day)
        row.is_workday, row.name = kind == WORKDAY, name
        session.add(row)
    return change
