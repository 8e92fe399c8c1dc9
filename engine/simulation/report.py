"""Daily and final figures of a simulation, read back from the case rows."""

import unicodedata
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from engine.cases.models import Case
from engine.cases.stats import IMMEDIATE, MAX_DAYS, ON_SITE_TARGET, daily_figures
from engine.clock import CHINA_TZ, local_datetime
from engine.deadlines.board import counts_by_department
from engine.deadlines.states import RED, YELLOW
from engine.ledger.models import LedgerEntry
from engine.tasks.models import COMPLETED, HumanTask
from engine.workflow.properties import NOTIFIED

WEEKDAYS = "一二三四五六日"


@dataclass
class Figures:
    received: int = 0
    accepted: int = 0
    notices: int = 0
    on_the_spot: int = 0
    decided: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0
    withdrawn: int = 0
    not_accepted: int = 0


COLUMNS = [("received", "收件"), ("accepted", "受理"), ("notices", "一次告知"), ("on_the_spot", "现场办结"),
           ("decided", "办结"), ("on_time", "按期"), ("late", "超期办结"), ("overdue_open", "超期在办"),
           ("withdrawn", "撤回"), ("not_accepted", "不予受理")]


def _local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


def open_by_state(session) -> dict[str, int]:
    """Open cases per deadline state now, counted as the supervisor's board counts them."""
    totals = {YELLOW: 0, RED: 0}
    for states in counts_by_department(session).values():
        for state in totals:
            totals[state] += states[state]
    return totals


def figures(session, first: date, last: date) -> Figures:
    """Figures for local days first..last; ``overdue_open`` (the board's red cases) is as of now."""
    start, end = local_datetime(first), local_datetime(last + timedelta(days=1))

    def between(column):
        return column >= start, column < end

    result = Figures()
    result.received = session.scalar(select(func.count()).where(*between(Case.received_at)))
    result.accepted = session.scalar(select(func.count()).where(*between(Case.accepted_at)))
    result.notices = session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.milestone == NOTIFIED, HumanTask.state == COMPLETED, *between(HumanTask.closed_at)))
    decided = session.execute(select(Case.decided_at, Case.due_date, Case.case_type, Case.accepted_on)
                              .where(*between(Case.decided_at))).all()
    result.decided = len(decided)
    result.on_time = sum(1 for at, due, *_ in decided if due is not None and _local_day(at) <= due)
    result.late = result.decided - result.on_time
    result.on_the_spot = sum(1 for at, _, kind, accepted in decided if kind == IMMEDIATE and _local_day(at) == accepted)
    result.overdue_open = open_by_state(session)[RED]
    result.withdrawn = session.scalar(select(func.count()).where(Case.outcome == "withdrawn", *between(Case.closed_at)))
    result.not_accepted = session.scalar(select(func.count()).where(Case.outcome == "not_accepted",
                                                                    *between(Case.closed_at)))
    return result


CELL = 10


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _right(text: str, width: int = CELL) -> str:
    return " " * max(0, width - _width(text)) + text


def header() -> str:
    return _right("日期", 15) + "".join(_right(label) for _, label in COLUMNS)


def row(day: date, values: Figures) -> str:
    cells = "".join(_right(str(getattr(values, name))) for name, _ in COLUMNS)
    return f"{day.isoformat()} 周{WEEKDAYS[day.weekday()]}{cells}"


def final_summary(session, first: date, last: date) -> list[str]:
    total = figures(session, first, last)
    open_cases = session.scalar(select(func.count()).where(Case.closed_at.is_(None)))
    refused = session.scalar(select(func.count()).where(Case.decision == "reject"))
    deemed = session.scalar(select(func.count()).where(Case.deemed_accepted.is_(True)))
    provisional = session.scalar(select(func.count()).where(Case.due_provisional.is_(True)))
    lines = [f"{label}: {getattr(total, name)}" for name, label in COLUMNS if name != "overdue_open"]
    lines.append(f"超期在办 (open and red on the board at the end): {total.overdue_open}")
    lines.append(f"逾期未告知视为受理 (deemed accepted): {deemed}")
    lines.append(f"不予许可 (refused in back office): {refused}")
    lines.append(f"在办 (still open): {open_cases}")
    lines.append(f"期限待定 (due date in a year without official schedule): {provisional}")
    warnings = open_by_state(session)
    lines.append(f"在办预警 (open cases yellow / red): {warnings[YELLOW]} / {warnings[RED]}")
    charged, points = session.execute(select(func.count(), func.coalesce(func.sum(LedgerEntry.points), 0))
                                      .where(LedgerEntry.recorded_by_id.is_(None))).one()
    lines.append(f"考核台账自动记录 (ledger entries by the engine): {charged} 条, {points} 分")
    # The rates as the supervisor's board computes them (engine.cases.stats).
    rates = daily_figures(session, last, min((last - first).days + 1, MAX_DAYS)).total
    if rates.on_time_rate is not None:
        lines.append(f"按期办结率 (on-time rate, of the cases decided): {100 * rates.on_time_rate:.1f}%")
    if rates.on_site_rate is not None:
        lines.append(f"现场办结率 (on-site rate: 即办件 decided at the window the day accepted, of all accepted): "
                     f"{100 * rates.on_site_rate:.1f}% (target {ON_SITE_TARGET:.0%})")
    return lines


def as_dict(values: Figures) -> dict:
    return {field.name: getattr(values, field.name) for field in fields(values)}
