"""Daily figures for the supervisor's charts, counted by the database (SQLite and PostgreSQL).

Each figure is one grouped query over the window; Python only fills in the days without
cases. Days are China-local calendar days: ``received_on`` and ``accepted_on`` are stored
as local dates already; ``decided_at`` is a UTC instant and is converted in SQL with the
fixed +08:00 offset (China has no daylight saving time).

- 收件量 (intake): cases received that day.
- 按期办结率 (on-time completion rate): of the cases decided (办结) that day, the share
  whose decision day is on or before their due date.
- 现场办结率 (on-site completion rate, target >= 90 %, aim 95 %): of the cases accepted
  (受理, deemed acceptance included) that day, the share decided at the window on that
  same day. Only a 即办件 is decided at the window (the model routes every other case to
  the back office), so the numerator is the 即办件 accepted that day whose decision day is
  their acceptance day. After a correction (补正) the case is accepted on the day the
  materials are complete, and a 即办件 decided then still counts: the applicant got the
  result at that visit.
"""

from dataclasses import dataclass, fields
from datetime import date, timedelta

from sqlalchemy import Date, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from engine.cases.models import Case
from engine.clock import local_datetime
from engine.errors import InvalidInput

DEFAULT_DAYS, MAX_DAYS = 30, 366
IMMEDIATE = "即办件"
ON_SITE_TARGET, ON_SITE_AIM = 0.90, 0.95


class china_date(FunctionElement):
    """The China-local calendar date of a UTC datetime column."""

    type = Date()
    name = "china_date"
    inherit_cache = True


@compiles(china_date, "postgresql")
def _china_date_postgresql(element, compiler, **kw):
    # timestamptz -> UTC wall time -> +8 h: independent of the session's TimeZone setting.
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) + INTERVAL '8 hours' AS DATE)"


@compiles(china_date, "sqlite")
def _china_date_sqlite(element, compiler, **kw):
    # UTCDateTime stores naive UTC text on SQLite.
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@dataclass(frozen=True)
class Tally:
    received: int = 0
    decided: int = 0
    decided_on_time: int = 0
    accepted: int = 0
    on_site: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.decided_on_time / self.decided if self.decided else None

    @property
    def on_site_rate(self) -> float | None:
        return self.on_site / self.accepted if self.accepted else None


@dataclass(frozen=True, kw_only=True)
class DayFigures(Tally):
    day: date


@dataclass(frozen=True)
class ChartFigures:
    first: date
    last: date
    department_code: str | None
    days: list[DayFigures]

    @property
    def total(self) -> Tally:
        """The whole window as one period."""
        return Tally(**{count.name: sum(getattr(day, count.name) for day in self.days) for count in fields(Tally)})


def check_days(days) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"统计天数须为 1 至 {MAX_DAYS} 的整数 (days must be a whole number from 1 to {MAX_DAYS})",
                           field="days")
    return days


def daily_figures(session: Session, today: date, days: int = DEFAULT_DAYS,
                  department_code: str | None = None) -> ChartFigures:
    """Figures for the ``days`` local days ending with ``today``, optionally of one department."""
    first = today - timedelta(days=check_days(days) - 1)
    in_department = [Case.department_code == department_code] if department_code else []

    received = session.execute(
        select(Case.received_on, func.count())
        .where(Case.received_on.between(first, today), *in_department).group_by(Case.received_on))

    decided_on = china_date(Case.decided_at)
    decided = session.execute(
        select(decided_on, func.count(), func.sum(case((decided_on <= Case.due_date, 1), else_=0)))
        .where(Case.decided_at >= local_datetime(first), Case.decided_at < local_datetime(today + timedelta(days=1)),
               *in_department)
        .group_by(decided_on))

    finished_on_site = and_(Case.case_type == IMMEDIATE, Case.decided_at.is_not(None), decided_on == Case.accepted_on)
    accepted = session.execute(
        select(Case.accepted_on, func.count(), func.sum(case((finished_on_site, 1), else_=0)))
        .where(Case.accepted_on.between(first, today), *in_department).group_by(Case.accepted_on))

    figures: dict[date, dict[str, int]] = {first + timedelta(days=n): {} for n in range(days)}
    for day, count in received:
        figures[day]["received"] = count
    for day, count, on_time in decided:
        figures[day].update(decided=count, decided_on_time=int(on_time or 0))
    for day, count, on_site in accepted:
        figures[day].update(accepted=count, on_site=int(on_site or 0))
    return ChartFigures(first, today, department_code,
                        [DayFigures(day=day, **counts) for day, counts in figures.items()])


class minutes_between(FunctionElement):
    """Minutes from the first UTC datetime column to the second (a fraction, not rounded)."""

    name = "minutes_between"
    inherit_cache = True


@compiles(minutes_between, "postgresql")
def _minutes_between_postgresql(element, compiler, **kw):
    first, second = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({second} - {first})) / 60.0)"


@compiles(minutes_between, "sqlite")
def _minutes_between_sqlite(element, compiler, **kw):
    first, second = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({second}) - julianday({first})) * 1440.0)"
