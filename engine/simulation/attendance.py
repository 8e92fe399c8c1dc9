"""Attendance and leave in the simulated center, so the demo's ledger shows them.

Everyone kept signs in in the app before the morning starts and out after the afternoon ends;
now and then someone comes late and punches the clock instead, and that file is imported the
next morning (the app's sign-ins happen before the first applicant arrives and after the last
work, so the cases' timings are those of a run without attendance). One leave is asked for,
approved by the department and the center, and returned from. Its own seeded randomness keeps
the run deterministic and leaves the cases' random stream untouched.
"""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from engine.clock import local_datetime
from engine.roles import CASE_WORKERS, SUPERVISOR
from engine.staff.models import Staff
from engine.staff.service import actor_for

LATE_SHARE = 0.04
LATE_MINUTES = (5, 8, 15, 25, 45)
# The leave: who, covered by whom, approved by whom; it starts on the run's third working day.
ON_LEAVE, COVER, CHIEF = "scjg_approver1", "scjg_approver2", "scjg_chief"
LEAVE_WORKING_DAYS = 2


def _minutes_after(moment: datetime, minutes: int) -> datetime:
    return moment + timedelta(minutes=minutes)


class AttendancePlay:
    def __init__(self, engine, seed: int):
        self.engine = engine
        self.rng = random.Random(f"attendance-{seed}")
        with engine.session() as session:
            rows = list(session.scalars(select(Staff).where(Staff.active.is_(True), Staff.role.in_(CASE_WORKERS))
                                        .order_by(Staff.id)))
            self.staff = [actor_for(row) for row in rows]
            supervisor = session.scalar(select(Staff).where(Staff.role == SUPERVISOR, Staff.active.is_(True)))
            self.supervisor = actor_for(supervisor) if supervisor else None
        self.by_username = {actor.username: actor for actor in self.staff}
        self.punches: list[str] = []
        self.leave_id: int | None = None
        self.away: set[date] = set()
        self.working_days_seen = 0
        self.signed_in: list = []
        self._end: datetime | None = None

    def _clock_to(self, moment: datetime) -> None:
        if moment > self.engine.clock.now():
            self.engine.clock.set(moment)

    def import_yesterday(self) -> None:
        """Just after midnight, before the daily computation: the punch clock's file of the day before."""
        if self.punches and self.supervisor:
            self.engine.attendance.import_punches(self.supervisor, ("username,date,time_in,time_out\n"
                                                                    + "".join(self.punches)).encode())
        self.punches = []

    def start_of_day(self, day: date) -> None:
        """Before the hall opens on a working day: ask for the leave, or return from it."""
        self.working_days_seen += 1
        if self.supervisor is None or not {ON_LEAVE, COVER, CHIEF} <= set(self.by_username):
            return
        if self.working_days_seen == 1:
            self._ask_for_leave(day)
        elif self.leave_id is not None and self.away and day > max(self.away):
            self._clock_to(local_datetime(day, 8, 0))
            self.engine.leave.record_return(self.by_username[ON_LEAVE], self.leave_id)
            self.leave_id = None

    def _ask_for_leave(self, today: date) -> None:
        calendar = self.engine.calendar.get()
        first = calendar.add_working_days(today, 2).day
        last = calendar.add_working_days(first, LEAVE_WORKING_DAYS - 1).day
        self._clock_to(local_datetime(today, 8, 10))
        line = self.engine.leave.request(self.by_username[ON_LEAVE], kind="personal", starts_on=first, ends_on=last,
                                         reason="家中有事，需回老家处理", cover=COVER)
        self.engine.leave.approve(self.by_username[CHIEF], line.leave.id)
        self.engine.leave.approve(self.supervisor, line.leave.id)
        self.leave_id = line.leave.id
        self.away = {first + timedelta(days=offset) for offset in range((last - first).days + 1)}

    def morning(self, day: date) -> None:
        """Sign-ins before the morning starts; the late ones punch the clock (imported tomorrow)."""
        hours = self.engine.attendance.hours().hours_on(day)
        start = local_datetime(day, hours.morning_start.hour, hours.morning_start.minute)
        end = local_datetime(day, hours.afternoon_end.hour, hours.afternoon_end.minute)
        on_time = []
        for actor in self.staff:
            if actor.username == ON_LEAVE and day in self.away:
                continue
            if self.rng.random() < LATE_SHARE:
                late = _minutes_after(start, self.rng.choice(LATE_MINUTES))
                out = _minutes_after(end, self.rng.randint(0, 15))
                self.punches.append(f"{actor.username},{day.isoformat()},{late:%H:%M},{out:%H:%M}\n")
            else:
                on_time.append((start - timedelta(minutes=self.rng.randint(1, 25)), actor))
        self.signed_in = [actor for _moment, actor in on_time]
        for moment, actor in sorted(on_time, key=lambda pair: (pair[0], pair[1].id)):
            self._clock_to(moment)
            self.engine.attendance.sign_in(actor)
        self._end = end

    def evening(self) -> None:
        """Sign-outs after the afternoon ends."""
        leaving = sorted(((_minutes_after(self._end, self.rng.randint(0, 20)), actor) for actor in self.signed_in),
                         key=lambda pair: (pair[0], pair[1].id))
        for moment, actor in leaving:
            self._clock_to(moment)
            self.engine.attendance.sign_out(actor)
