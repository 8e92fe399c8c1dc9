"""Attendance (考勤, 双签制) as ``CaseEngine.attendance``: signing in and out, the punch clock's import,
the day's sheet, the computation that charges the ledger, the weekly bulletin (每周通报) and the
center's working hours. Each change one transaction with its audit entry.

A day is computed once it is final (FINAL_AFTER_DAYS after it: the punch clock's file for it has
been imported by then), only on the center's working days, and only when the center kept
attendance that day (some record exists): a day nobody signed is not charged to everyone.
Approved leave (engine/leave) excuses the day, or only its morning or afternoon (a half-day
leave). Charges go through the ledger's automatic rows, each keyed by person, day, half day and
kind, so running a day again charges nothing twice.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.attendance import service as attendance
from engine.attendance.models import AttendanceRecord
from engine.audit import service as audit
from engine.clock import CHINA_TZ
from engine.context import EngineContext
from engine.errors import InvalidInput
from engine.leave import service as leave_rows
from engine.ledger.service import automatic_row, record_automatic_rows
from engine.permissions import attendance_scope, keeps_attendance, may_manage_attendance
from engine.posts.service import staff_member
from engine.roles import CASE_WORKERS
from engine.staff.models import Staff
from engine.validation import as_date

FINAL_AFTER_DAYS = 2
# The daily job looks this far back for final days not yet computed (a scheduler that was down).
LOOKBACK_DAYS = 14
# A query of records spans at most this many days.
MAX_RANGE_DAYS = 93


@dataclass(frozen=True)
class DayLine:
    """One person's working day: what was signed, whether leave excuses it, what the rules find."""

    staff_id: int
    name: str
    username: str
    department_code: str | None
    day: date
    working_day: bool
    record: AttendanceRecord | None
    leave_kind: str | None
    findings: list
    # "morning" or "afternoon" when leave excuses only that half of the day; None: the whole day or none.
    leave_half: str | None = None

    @property
    def signed_in(self):
        return attendance.local_time(self.record.signed_in_at) if self.record else None

    @property
    def signed_out(self):
        return attendance.local_time(self.record.signed_out_at) if self.record else None


@dataclass(frozen=True)
class BulletinLine:
    staff_id: int
    name: str
    username: str
    department_code: str | None
    minor: int
    late: int
    major: int
    early: int
    absent_half_days: int
    leave_days: float  # a half-excused day counts 0.5

    @property
    def clean(self) -> bool:
        return not (self.minor or self.late or self.major or self.early or self.absent_half_days)


@dataclass(frozen=True)
class Bulletin:
    first: date
    last: date
    lines: list[BulletinLine]


class AttendanceBook:
    def __init__(self, context: EngineContext):
        self.context = context

    # -- signing ------------------------------------------------------------------------
    def sign_in(self, actor: Actor) -> DayLine:
        return self._sign(actor, "in")

    def sign_out(self, actor: Actor) -> DayLine:
        return self._sign(actor, "out")

    def _sign(self, actor: Actor, direction: str) -> DayLine:
        keeps_attendance(actor).check()
        now = self.context.clock.now()
        with self.context.transaction() as session:
            record = attendance.sign(session, actor.id, now, direction)
            audit.record(session, actor=actor, action=f"attendance_sign_{direction}", at=now,
                         detail={"record": record.id, "day": record.day.isoformat()})
        return self.today(actor)

    def today(self, actor: Actor) -> DayLine:
        """The actor's record of today (today is not over: no findings yet)."""
        today = self.context.clock.today()
        with self.context.session() as session:
            person = session.get(Staff, actor.id)
            excuse = leave_rows.excused(session, today, today).get((person.id, today))
            return DayLine(person.id, person.name, person.username, person.department_code, today,
                           self.context.calendar.get().is_working_day(today), attendance.record_of(session, person.id, today),
                           excuse and excuse.kind_name, [], _half_excused(excuse))

    def import_punches(self, actor: Actor, data: bytes) -> int:
        """The punch clock's CSV: all rows or none. A day already computed is refused (its charges stand)."""
        may_manage_attendance(actor).check()
        now = self.context.clock.now()
        punches = attendance.parse_punches(data, self.context.clock.today())
        with self.context.transaction() as session:
            people = dict(session.execute(select(Staff.username, Staff.id).where(
                Staff.username.in_({punch.username for punch in punches}), Staff.active.is_(True),
                Staff.role.in_(CASE_WORKERS))).all())
            for punch in punches:
                if punch.username not in people:
                    raise attendance.row_error(punch.row, "username", f"没有在岗工作人员 {punch.username}",
                                                f"no active case worker '{punch.username}'")
                if attendance.computed(session, punch.day) is not None:
                    raise attendance.row_error(punch.row, "date", f"{punch.day} 的考勤已核算，不能再导入",
                                                f"{punch.day} is computed already")
                attendance.store_punch(session, people[punch.username], punch, actor.id)
            audit.record(session, actor=actor, action="attendance_import", at=now, detail={"rows": len(punches)})
        return len(punches)

    # -- reading ------------------------------------------------------------------------
    def records(self, actor: Actor, first, last, staff=None) -> list[DayLine]:
        """Working days from ``first`` to ``last`` of one person (or, for supervisors, everyone)."""
        first, last = as_date(first, "from"), as_date(last, "to")
        if first > last or (last - first).days >= MAX_RANGE_DAYS:
            raise InvalidInput(f"查询区间须为 1 至 {MAX_RANGE_DAYS} 天 (from..to must span 1 to {MAX_RANGE_DAYS} days)",
                               field="to")
        with self.context.session() as session:
            person = staff_member(session, staff, "staff") if staff not in (None, "") else None
            attendance_scope(actor, person.id if person else None, person and person.department_code).check()
            return self._lines(session, first, last, [person] if person else None)

    def sheet(self, actor: Actor, day) -> list[DayLine]:
        """The day's sheet of everyone kept (supervisors)."""
        may_manage_attendance(actor).check()
        day = as_date(day, "day")
        with self.context.session() as session:
            return self._lines(session, day, day, None, working_only=False)

    def _lines(self, session: Session, first: date, last: date, people, *, working_only: bool = True) -> list[DayLine]:
        people = people if people is not None else _kept_staff(session)
        calendar, hours = self.context.calendar.get(), attendance.schedule(session)
        records = {(row.staff_id, row.day): row
                   for row in attendance.records_between(session, first, last, [person.id for person in people])}
        leave = leave_rows.excused(session, first, last)
        today = self.context.clock.today()
        lines = []
        day = first
        while day <= last:
            working = calendar.is_working_day(day)
            if working or not working_only:
                for person in people:
                    if not _kept_on(person, day):
                        continue
                    record, excuse = records.get((person.id, day)), leave.get((person.id, day))
                    # Today is not over: what it means is known tomorrow.
                    findings = attendance.evaluate(hours.hours_on(day), _time(record, "in"), _time(record, "out")) \
                        if working and not (excuse and excuse.whole_day) and day < today else []
                    if excuse is not None:  # a half-day leave excuses what is found in its half only
                        findings = [finding for finding in findings if finding.half != _half_excused(excuse)]
                    lines.append(DayLine(person.id, person.name, person.username, person.department_code, day,
                                         working, record, excuse and excuse.kind_name, findings, _half_excused(excuse)))
            day += timedelta(days=1)
        return lines

    # -- computing and charging ---------------------------------------------------------
    def compute_day(self, day, actor: Actor = SYSTEM) -> int:
        """Charge the finished working day's findings to the ledger; again: nothing twice. Returns the findings."""
        if actor != SYSTEM:
            may_manage_attendance(actor).check()
        day = as_date(day, "day")
        if day >= self.context.clock.today():
            raise InvalidInput(f"只核算已结束的日子（今天是 {self.context.clock.today()}）(only a day that is over)",
                               field="day")
        now = self.context.clock.now()
        with self.context.transaction() as session:
            hours = attendance.schedule(session).hours_on(day)
            lines = self._lines(session, day, day, None)
            by_trigger: dict[str, list[dict]] = {}
            for line in lines:
                for finding in line.findings:
                    by_trigger.setdefault(finding.trigger, []).append(automatic_row(
                        staff_id=line.staff_id, violation_key=finding.violation_key(line.staff_id, day),
                        occurred_on=day, case_id=None, evidence=attendance.describe(finding, hours, line.record),
                        now=now))
            for trigger, rows in by_trigger.items():
                record_automatic_rows(session, trigger, rows)
            count = sum(len(rows) for rows in by_trigger.values())
            attendance.mark_computed(session, day, count, now)
            audit.record(session, actor=actor, action="attendance_compute", at=now,
                         detail={"day": day.isoformat(), "findings": count})
        return count

    def compute_due(self, limit: int = LOOKBACK_DAYS) -> int:
        """The daily job: final working days not computed yet on which attendance was kept (``limit``
        of them, oldest first). Returns the findings charged."""
        today, calendar = self.context.clock.today(), self.context.calendar.get()
        last = today - timedelta(days=FINAL_AFTER_DAYS)
        with self.context.session() as session:
            kept = set(session.scalars(select(AttendanceRecord.day).where(
                AttendanceRecord.day >= last - timedelta(days=LOOKBACK_DAYS), AttendanceRecord.day <= last)
                .group_by(AttendanceRecord.day)))
            due = sorted(day for day in kept if calendar.is_working_day(day) and attendance.computed(session, day) is None)
        return sum(self.compute_day(day) for day in due[:limit])

    # -- the weekly bulletin (每周通报) ----------------------------------------------------
    def bulletin(self, actor: Actor, week_of) -> Bulletin:
        """The week (Monday to Sunday) holding ``week_of``: each person's lateness, leaving early, absence
        and leave, the most charged first."""
        may_manage_attendance(actor).check()
        day = as_date(week_of, "week")
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        with self.context.session() as session:
            lines = self._lines(session, first, last, None)
            people = {person.id: person for person in _kept_staff(session)}
        counts: dict[int, dict[str, int]] = {}
        for line in lines:
            tally = counts.setdefault(line.staff_id, {"minor": 0, "late": 0, "major": 0, "early": 0, "absent": 0,
                                                      "leave": 0})
            tally["leave"] += 0 if line.leave_kind is None else 1 if line.leave_half is None else 0.5
            for finding in line.findings:
                tally[finding.band] += 1  # late and early share the rules' bands; early is also counted apart
                tally["early"] += finding.kind == attendance.EARLY
        rows = [BulletinLine(staff_id, people[staff_id].name, people[staff_id].username,
                             people[staff_id].department_code, tally["minor"], tally["late"], tally["major"],
                             tally["early"], tally["absent"], tally["leave"])
                for staff_id, tally in counts.items() if any(tally.values())]
        rows.sort(key=lambda row: (-row.absent_half_days, -(row.major + row.late + row.minor + row.early), row.username))
        return Bulletin(first, last, rows)

    def bulletin_xlsx(self, actor: Actor, week_of, center_name: str) -> bytes:
        from engine.attendance.export import bulletin_workbook

        return bulletin_workbook(self.bulletin(actor, week_of), center_name)

    # -- the center's working hours -----------------------------------------------------
    def hours(self) -> attendance.Schedule:
        with self.context.session() as session:
            return attendance.schedule(session)

    def save_hours(self, actor: Actor, season, fields: dict) -> attendance.Schedule:
        """Set a season's hours (the administrator's, through engine/center_admin.py; the CLI as the system)."""
        now = self.context.clock.now()
        with self.context.transaction() as session:
            attendance.save_season(session, actor.id, season, fields, now)
            audit.record(session, actor=actor, action="attendance_hours", at=now,
                         detail={"season": season, **{key: str(value) for key, value in fields.items()}})
        return self.hours()




def _half_excused(excuse: leave_rows.Excuse | None) -> str | None:
    """The half of the day a half-day leave excuses (the other half is kept as any day); None: whole or none."""
    if excuse is None or excuse.whole_day:
        return None
    return attendance.MORNING if excuse.morning else attendance.AFTERNOON


def _time(record: AttendanceRecord | None, direction: str):
    if record is None:
        return None
    return attendance.local_time(record.signed_in_at if direction == "in" else record.signed_out_at)


def _kept_staff(session: Session) -> list[Staff]:
    """Whose attendance is kept: the active case workers (the people the ledger scores)."""
    return list(session.scalars(select(Staff).where(Staff.active.is_(True), Staff.role.in_(CASE_WORKERS))
                                .order_by(Staff.department_code.nulls_first(), Staff.id)))


def _kept_on(person: Staff, day: date) -> bool:
    """Kept from the day the account exists (or the person joined the hall) until he leaves it."""
    starts = person.joined_on or person.created_at.astimezone(CHINA_TZ).date()
    return starts <= day and (person.leaves_on is None or day < person.leaves_on)
