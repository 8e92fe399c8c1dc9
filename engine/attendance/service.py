"""Attendance rows and what a day's record means (docs/rules.md, "Attendance").

A person signs in and out once a day (双签制): the sign-in is measured against the morning's
start, the sign-out against the afternoon's end. Lateness and leaving early are whole minutes
(a sign-in at 9:00:59 is on time); a session missed altogether is absent (旷工) for that half
day. The day's verdict is a pure function of the record and the hours, so the sheet, the
bulletin and the ledger's charges agree.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.attendance.models import AttendanceDay, AttendanceRecord, WorkingHours
from engine.clock import CHINA_TZ
from engine.errors import Conflict, InvalidInput

SEASONS = ("summer", "winter")
MORNING, AFTERNOON = "morning", "afternoon"
LATE, EARLY, ABSENT = "late", "early", "absent"
# 迟到、早退10分钟以内 / 10至30分钟 / 30分钟以上 (seed 004 篇四): the upper bound of each band.
MINOR_LIMIT, LATE_LIMIT = 10, 30
TRIGGERS = {"minor": "attendance_late_minor", "late": "attendance_late", "major": "attendance_late_major",
            ABSENT: "attendance_absent_half_day"}
# A punch-clock file: a month of a large hall is a few thousand rows.
MAX_IMPORT_BYTES = 512 * 1024
MAX_IMPORT_ROWS = 5000
IMPORT_COLUMNS = ("username", "date", "time_in", "time_out")


@dataclass(frozen=True)
class Hours:
    morning_start: time
    morning_end: time
    afternoon_start: time
    afternoon_end: time


@dataclass(frozen=True)
class Schedule:
    """The center's hours: summer from ``summer_first`` to ``summer_last`` ("MM-DD"), winter otherwise."""

    summer_first: str
    summer_last: str
    summer: Hours
    winter: Hours

    def season_of(self, day: date) -> str:
        return "summer" if self.summer_first <= day.strftime("%m-%d") <= self.summer_last else "winter"

    def hours_on(self, day: date) -> Hours:
        return self.summer if self.season_of(day) == "summer" else self.winter


DEFAULT_SCHEDULE = Schedule("05-01", "09-30", Hours(time(8, 30), time(12, 0), time(14, 30), time(18, 0)),
                            Hours(time(9, 0), time(12, 0), time(14, 0), time(17, 30)))


def schedule(session: Session) -> Schedule:
    """The center's configured hours, each season falling back to the default."""
    rows = {row.season: row for row in session.scalars(select(WorkingHours))}
    summer, winter = rows.get("summer"), rows.get("winter")
    return Schedule(summer.first_day if summer else DEFAULT_SCHEDULE.summer_first,
                    summer.last_day if summer else DEFAULT_SCHEDULE.summer_last,
                    _hours(summer) if summer else DEFAULT_SCHEDULE.summer,
                    _hours(winter) if winter else DEFAULT_SCHEDULE.winter)


def _hours(row: WorkingHours) -> Hours:
    return Hours(row.morning_start, row.morning_end, row.afternoon_start, row.afternoon_end)


def _clock_time(value, field: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and len(value) in (5, 8):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"{field} 须为时刻 HH:MM ({field} must be a time of day, HH:MM)", field=field)


def _month_day(value, field: str) -> str:
    try:
        date.fromisoformat(f"2024-{value}")  # a leap year: 02-29 is a day of some years
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} 须为月-日 MM-DD ({field} must be a day of the year, MM-DD)", field=field) from None
    return value


def save_season(session: Session, actor_id: int | None, season, fields: dict, now: datetime) -> WorkingHours:
    """Set one season's hours; the summer also its first and last day. The sessions must be in order."""
    if season not in SEASONS:
        raise InvalidInput("season 须为 summer 或 winter (season must be summer or winter)", field="season")
    names = ("morning_start", "morning_end", "afternoon_start", "afternoon_end")
    times = [_clock_time(fields.get(name), name) for name in names]
    for earlier, later, name in zip(times, times[1:], names[1:], strict=False):
        if not earlier < later:
            raise InvalidInput(f"{name} 须晚于前一时刻 ({name} must come after the time before it)", field=name)
    row = session.get(WorkingHours, season, with_for_update=True) or WorkingHours(season=season)
    if season == "summer":
        row.first_day = _month_day(fields.get("first_day"), "first_day")
        row.last_day = _month_day(fields.get("last_day"), "last_day")
        if row.first_day > row.last_day:
            raise InvalidInput("夏季须在一年之内 (the summer must start before it ends in the year)", field="last_day")
    row.morning_start, row.morning_end, row.afternoon_start, row.afternoon_end = times
    row.updated_by_id, row.updated_at = actor_id, now
    session.add(row)
    session.flush()
    return row


# -- what a day's record means ---------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One occurrence the rules charge: late, early or absent, in one half day."""

    kind: str
    half: str
    minutes: int | None = None

    @property
    def band(self) -> str:
        """The rule's band: minor (≤10 min), late (11-30), major (>30) or absent."""
        if self.kind == ABSENT:
            return ABSENT
        return "minor" if self.minutes <= MINOR_LIMIT else "late" if self.minutes <= LATE_LIMIT else "major"

    @property
    def trigger(self) -> str:
        return TRIGGERS[self.band]

    def violation_key(self, staff_id: int, day: date) -> str:
        return f"attendance:{staff_id}:{day.isoformat()}:{self.half}:{self.kind}"


def _minutes(earlier: time, later: time) -> int:
    """Whole minutes from ``earlier`` to ``later`` (a part minute is not counted)."""
    return ((later.hour * 3600 + later.minute * 60 + later.second)
            - (earlier.hour * 3600 + earlier.minute * 60 + earlier.second)) // 60


def evaluate(hours: Hours, signed_in: time | None, signed_out: time | None) -> list[Finding]:
    """A working day's findings from the local times signed in and out (None: not signed)."""
    absent = set()
    found = []
    if signed_in is None:
        absent.add(MORNING)
    elif signed_in > hours.morning_end:
        absent.add(MORNING)  # came after the morning: that half day is 旷工
        if signed_in >= hours.afternoon_end:
            absent.add(AFTERNOON)
        elif _minutes(hours.afternoon_start, signed_in) > 0:
            found.append(Finding(LATE, AFTERNOON, _minutes(hours.afternoon_start, signed_in)))
    elif _minutes(hours.morning_start, signed_in) > 0:
        found.append(Finding(LATE, MORNING, _minutes(hours.morning_start, signed_in)))
    if signed_out is None:
        absent.add(AFTERNOON)
    elif signed_out < hours.afternoon_start:
        absent.add(AFTERNOON)  # left before the afternoon
        if signed_out <= hours.morning_start:
            absent.add(MORNING)
        elif MORNING not in absent and _minutes(signed_out, hours.morning_end) > 0:
            found.append(Finding(EARLY, MORNING, _minutes(signed_out, hours.morning_end)))
    elif _minutes(signed_out, hours.afternoon_end) > 0:
        found.append(Finding(EARLY, AFTERNOON, _minutes(signed_out, hours.afternoon_end)))
    # An absent half day is charged as absence, not also as lateness in it.
    found = [finding for finding in found if finding.half not in absent]
    return [Finding(ABSENT, half) for half in (MORNING, AFTERNOON) if half in absent] + found


def local_time(moment: datetime | None) -> time | None:
    return moment.astimezone(CHINA_TZ).time().replace(microsecond=0) if moment else None


def describe(finding: Finding, hours: Hours, record: AttendanceRecord | None) -> str:
    """The evidence of a charge: what was signed, against which hour (always in Chinese: it is a record)."""
    signed_in, signed_out = (local_time(record.signed_in_at), local_time(record.signed_out_at)) if record else (None, None)
    shown = (f"签到 {signed_in:%H:%M:%S}" if signed_in else "未签到") + "，" + \
        (f"签退 {signed_out:%H:%M:%S}" if signed_out else "未签退")
    morning = finding.half == MORNING
    half = "上午" if morning else "下午"
    start, end = (hours.morning_start, hours.morning_end) if morning else (hours.afternoon_start, hours.afternoon_end)
    if finding.kind == LATE:
        what = f"{half}迟到 {finding.minutes} 分钟（上班 {start:%H:%M}）"
    elif finding.kind == EARLY:
        what = f"{half}早退 {finding.minutes} 分钟（下班 {end:%H:%M}）"
    else:
        what = f"{half}旷工（{start:%H:%M}-{end:%H:%M}）"
    source = f"考勤记录 #{record.id}（{'打卡机导入' if record.source == 'import' else '本系统签到'}）" if record \
        else "无考勤记录"
    return f"{what}；{shown}；{source}"


# -- records ---------------------------------------------------------------------------

def record_of(session: Session, staff_id: int, day: date, *, lock: bool = False) -> AttendanceRecord | None:
    query = select(AttendanceRecord).where(AttendanceRecord.staff_id == staff_id, AttendanceRecord.day == day)
    return session.scalar(query.with_for_update() if lock else query)


def sign(session: Session, staff_id: int, now: datetime, direction: str) -> AttendanceRecord:
    """Sign in (the first sign-in of the day counts) or out (the last sign-out counts) at server time."""
    day = now.astimezone(CHINA_TZ).date()
    record = record_of(session, staff_id, day, lock=True)
    if record is None:
        record = AttendanceRecord(staff_id=staff_id, day=day, source="app")
        session.add(record)
    if direction == "in":
        if record.signed_in_at is not None:
            raise Conflict(f"今天已于 {local_time(record.signed_in_at):%H:%M} 签到 (already signed in today at "
                           f"{local_time(record.signed_in_at):%H:%M})", field="sign_in")
        record.signed_in_at = now
    else:
        if record.signed_in_at is None:
            raise Conflict("今天尚未签到，请先签到 (sign in before signing out)", field="sign_out")
        record.signed_out_at = now
    session.flush()
    return record


def records_between(session: Session, first: date, last: date, staff_ids=None) -> list[AttendanceRecord]:
    query = select(AttendanceRecord).where(AttendanceRecord.day >= first, AttendanceRecord.day <= last)
    if staff_ids is not None:
        query = query.where(AttendanceRecord.staff_id.in_(staff_ids))
    return list(session.scalars(query.order_by(AttendanceRecord.day, AttendanceRecord.staff_id)))


def computed(session: Session, day: date) -> AttendanceDay | None:
    return session.get(AttendanceDay, day)


def mark_computed(session: Session, day: date, findings: int, now: datetime) -> None:
    row = session.get(AttendanceDay, day, with_for_update=True) or AttendanceDay(day=day)
    row.computed_at, row.findings = now, findings
    session.add(row)


# -- the punch clock's file ------------------------------------------------------------

@dataclass(frozen=True)
class PunchRow:
    row: int
    username: str
    day: date
    time_in: time | None
    time_out: time | None


def row_error(row: int, column: str, problem_zh: str, problem_en: str) -> InvalidInput:
    return InvalidInput(f"第 {row} 行 {column}：{problem_zh} (row {row}, {column}: {problem_en})", field="file",
                        details={"row": row, "column": column})


def parse_punches(data: bytes, today: date) -> list[PunchRow]:
    """The punch clock's CSV (UTF-8, header ``username,date,time_in,time_out``; a blank time: not punched).
    Any bad row refuses the whole file, naming the row (the header is row 1) and the column."""
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"文件超过 {MAX_IMPORT_BYTES // 1024} KiB (the file is over {MAX_IMPORT_BYTES // 1024} KiB)",
                           field="file", details={"rule": "maxBytes", "limit": MAX_IMPORT_BYTES})
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件须为 UTF-8 编码的 CSV (the file must be UTF-8 CSV)", field="file") from None
    reader = csv.reader(io.StringIO(content, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if tuple(header) != IMPORT_COLUMNS:
        raise InvalidInput(f"第 1 行须为表头 {','.join(IMPORT_COLUMNS)} (row 1 must be the header "
                           f"{','.join(IMPORT_COLUMNS)})", field="file", details={"row": 1, "column": "header"})
    rows, seen = [], set()
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise InvalidInput(f"一次最多导入 {MAX_IMPORT_ROWS} 行 (at most {MAX_IMPORT_ROWS} rows a file)",
                               field="file", details={"rule": "maxRows", "limit": MAX_IMPORT_ROWS})
        if len(values) != len(IMPORT_COLUMNS):
            raise row_error(number, "row", f"应有 {len(IMPORT_COLUMNS)} 列", f"expected {len(IMPORT_COLUMNS)} columns")
        username, day_text, time_in, time_out = (value.strip() for value in values)
        if not 0 < len(username) <= 50:
            raise row_error(number, "username", "不能为空", "required")
        try:
            day = date.fromisoformat(day_text) if len(day_text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise row_error(number, "date", "须为日期 YYYY-MM-DD", "must be a date, YYYY-MM-DD")
        if day >= today:
            raise row_error(number, "date", f"只导入已结束的日子（今天是 {today}）", f"only days that are over (today is {today})")
        times = []
        for column, value in (("time_in", time_in), ("time_out", time_out)):
            try:
                times.append(time.fromisoformat(value) if value else None)
            except ValueError:
                raise row_error(number, column, "须为时刻 HH:MM 或留空", "must be HH:MM or blank") from None
        if times[0] and times[1] and times[1] <= times[0]:
            raise row_error(number, "time_out", "须晚于签到时刻", "must be after time_in")
        if (username, day) in seen:
            raise row_error(number, "date", f"{username} 的 {day} 已在前面出现", f"{username} on {day} appears twice")
        seen.add((username, day))
        rows.append(PunchRow(number, username, day, *times))
    return rows


def store_punch(session: Session, staff_id: int, punch: PunchRow, imported_by_id: int) -> AttendanceRecord:
    """The punch clock's times replace what was recorded for that day (the clock is the record)."""
    record = record_of(session, staff_id, punch.day, lock=True)
    if record is None:
        record = AttendanceRecord(staff_id=staff_id, day=punch.day)
        session.add(record)
    record.signed_in_at = _moment(punch.day, punch.time_in)
    record.signed_out_at = _moment(punch.day, punch.time_out)
    record.source, record.imported_by_id = "import", imported_by_id
    return record


def _moment(day: date, clock_time: time | None) -> datetime | None:
    return datetime.combine(day, clock_time, tzinfo=CHINA_TZ) if clock_time else None
