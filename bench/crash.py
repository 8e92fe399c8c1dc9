"""Crash safety on PostgreSQL: writers SIGKILLed at random moments, restarted, checked.

    python bench/crash.py [--kills 50] [--cases 1000] [--scheduler-kills 20] [--timer-cases 400]
                          [--late-cases 1000] [--simulate-kills 3] [--seed 1] [--postgres URL] [--database NAME]

Each writer runs as a child process in its own process group, killed with SIGKILL:
1. ``onewindow simulate`` on a fresh database, killed mid-run: the integrity check
   (engine.integrity.check_database) finds nothing half-done. It cannot resume: it refuses
   a database that already holds cases, so the restart is shown to refuse.
2. Hence a resumable driver (bench/crash_driver.py): a small service center on the public
   CaseEngine actions that resumes from the last moment its database saw and prints every
   commit it was told of. Killed and restarted ``--kills`` times, then run to its end;
   after each kill, the integrity check and every acknowledged commit still there.
3. ``onewindow scheduler`` on past-due work (notice timers to fire, overdue days to charge),
   killed while it holds the lease, restarted, then run until caught up: every timer fired
   once, every late day charged once, deadline states right (engine.integrity.check_caught_up).

Prints its figures; exits 1 if anything was lost, doubled or half-done.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from bench.crash_driver import START  # noqa: E402
from bench.databases import PG_DEFAULT, scratch_database  # noqa: E402
from engine.audit.models import AuditEntry  # noqa: E402
from engine.cases.models import Case  # noqa: E402
from engine.catalogue.models import ServiceItem  # noqa: E402
from engine.clock import SimulatedClock, SystemClock, local_datetime  # noqa: E402
from engine.demo import seed_demo_center  # noqa: E402
from engine.integrity import check_caught_up, check_database  # noqa: E402
from engine.lease import Lease  # noqa: E402
from engine.ledger.models import LedgerEntry  # noqa: E402
from engine.migrate import upgrade  # noqa: E402
from engine.runtime import CaseEngine  # noqa: E402
from engine.simulation import people  # noqa: E402
from engine.staff.models import Staff  # noqa: E402
from engine.staff.service import actor_for  # noqa: E402
from engine.tasks.models import HumanTask  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LATE_ITEM = "SCJG-002"  # 承诺件, promised in 10 working days


# -- databases and children ----------------------------------------------------------------
def seed(url: str) -> str:
    """Migrate and seed the demo center on the morning the driver starts from."""
    upgrade(url)
    engine = CaseEngine(url, clock=SimulatedClock(START))
    seed_demo_center(engine)
    engine.db.dispose()
    return url


def onewindow(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("onewindow")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from cli import main; main()", *args]


class Child:
    """A child process in its own process group; its complete stdout lines are collected."""

    def __init__(self, argv: list[str], database_url: str):
        self.stderr = tempfile.TemporaryFile()
        env = {**os.environ, "ONEWINDOW_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self.stderr,
                                        text=True, start_new_session=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.endswith("\n"):  # a line cut by the kill was never fully said
                self.lines.append(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(line.startswith(prefix) for line in self.lines):
                return True
            if self.process.poll() is not None:
                self._reader.join(5)
                return any(line.startswith(prefix) for line in self.lines)
            time.sleep(0.01)
        return False

    def kill(self) -> None:
        with_signal(self.process, signal.SIGKILL)
        self.finish(30)

    def finish(self, timeout: float) -> int:
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code

    def errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-3000:]


def with_signal(process, signum) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass  # it had already ended


# -- what the parent checks after a kill ----------------------------------------------------
@dataclass
class Acknowledged:
    """Commits a child said were done: they must all be in the database, whatever came after."""

    cases: set = field(default_factory=set)
    claims: dict = field(default_factory=dict)  # task id -> username
    completions: dict = field(default_factory=dict)

    def take(self, lines: list[str]) -> None:
        for line in lines:
            word, *rest = line.split()
            if word == "committed":
                self.cases.add(rest[0])
            elif word in ("claimed", "completed"):
                (self.claims if word == "claimed" else self.completions)[rest[0]] = rest[1]

    def missing(self, engine) -> list[str]:
        with engine.session() as session:
            numbers = set(session.scalars(select(Case.number).where(Case.number.in_(self.cases))))
            usernames = dict(session.execute(select(Staff.id, Staff.username)).all())
            rows = {row.id: row for row in session.scalars(select(HumanTask).where(
                HumanTask.id.in_(self.claims.keys() | self.completions.keys())))}
        lost = [f"case {number} was committed but is gone" for number in sorted(self.cases - numbers)]
        for task_id, username in self.claims.items():
            if task_id not in rows or usernames.get(rows[task_id].assignee_id) != username:
                lost.append(f"claim of task {task_id} by {username} was committed but is gone")
        for task_id, username in self.completions.items():
            row = rows.get(task_id)
            if row is None or row.state != "completed" or usernames.get(row.completed_by_id) != username:
                lost.append(f"completion of task {task_id} by {username} was committed but is gone")
        return lost


@dataclass
class Outcome:
    kills: int = 0
    seconds: float = 0.0
    figures: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def crash_driver(url: str, *, kills: int, cases: int, seed: int, max_delay: float = 1.5) -> Outcome:
    """Kill the driver ``kills`` times at random moments, check after each, then let it finish."""
    rng, outcome, acknowledged = random.Random(seed), Outcome(), Acknowledged()
    engine = CaseEngine(url)
    argv = [sys.executable, str(ROOT / "bench" / "crash_driver.py"), url, "--cases", str(cases), "--seed", str(seed)]
    started = time.monotonic()
    while outcome.kills < kills:
        child = Child(argv, url)
        if not child.wait_for("resumed", 120):
            outcome.problems.append(f"the driver did not start: {child.errors()}")
            break
        time.sleep(rng.uniform(0.05, max_delay))
        if child.process.poll() is not None:  # it finished before the kill: nothing left to interrupt
            child.finish(10)
            acknowledged.take(child.lines)
            break
        child.kill()
        outcome.kills += 1
        acknowledged.take(child.lines)
        outcome.problems += [f"after kill {outcome.kills}: {finding}" for finding in check_database(engine)]
        outcome.problems += [f"after kill {outcome.kills}: {lost}" for lost in acknowledged.missing(engine)]
    child = Child(argv, url)
    if child.finish(1800) != 0 or not child.wait_for("finished", 5):
        outcome.problems.append(f"the driver did not finish: {child.errors()}")
    acknowledged.take(child.lines)
    outcome.problems += [f"at the end: {finding}" for finding in check_database(engine)]
    outcome.problems += [f"at the end: {lost}" for lost in acknowledged.missing(engine)]
    outcome.seconds = time.monotonic() - started
    with engine.session() as session:
        outcome.figures = {"cases": session.scalar(select(func.count()).select_from(Case)),
                           "open": session.scalar(select(func.count()).select_from(Case)
                                                  .where(Case.closed_at.is_(None))),
                           "acknowledged commits": len(acknowledged.cases) + len(acknowledged.claims)
                           + len(acknowledged.completions),
                           "closed as": dict(session.execute(select(Case.outcome, func.count())
                                                             .group_by(Case.outcome)).all()),
                           "deemed accepted (timer)": session.scalar(select(func.count()).select_from(Case)
                                                                     .where(Case.deemed_accepted.is_(True))),
                           "audit entries": session.scalar(select(func.count()).select_from(AuditEntry)),
                           "ledger entries": session.scalar(select(func.count()).select_from(LedgerEntry))}
    engine.db.dispose()
    return outcome


# -- the scheduler -------------------------------------------------------------------------
def seed_past_due_work(url: str, *, timer_cases: int, late_cases: int) -> set[int]:
    """Cases received 20 working days ago: notices never issued (their timers are due) and
    accepted cases nobody decided (10 working days late). Returns the timer cases' ids."""
    engine = CaseEngine(url, clock=SimulatedClock(START))
    # The day after which today holds 20 working days, a weekend's today included: the 21st
    # working day before tomorrow (subtracting 20 from a Saturday would count only 19).
    received_on = engine.calendar.get().subtract_working_days(SystemClock().today() + timedelta(days=1), 21).day
    engine.clock.set(local_datetime(received_on, 10))
    with engine.session() as session:
        clerk = actor_for(session.scalar(select(Staff).where(Staff.username == "clerk1")))
        materials = [m.code for m in session.get(ServiceItem, LATE_ITEM).materials if m.mandatory]
    rng, timer_ids = random.Random(timer_cases), set()
    for index in range(timer_cases + late_cases):
        missing = index < timer_cases
        form = {"received_materials": materials[:-1] if missing else materials, "material_defects": [],
                "acceptable": True, "delivery_method": "pickup"}
        case = engine.create_case(clerk, LATE_ITEM, people.applicant(rng), form)
        if missing:
            timer_ids.add(case.id)
    engine.db.dispose()
    return timer_ids


def scheduler_problems(engine, timer_ids: set[int], *, final: bool) -> list[str]:
    """Nothing doubled (at any moment) and, once caught up, nothing missed."""
    with engine.session() as session:
        timers = Counter(session.scalars(select(AuditEntry.case_id).where(AuditEntry.action == "timer")))
        keys = list(session.scalars(select(LedgerEntry.violation_key).where(LedgerEntry.violation_key.is_not(None))))
        charged = dict(session.execute(select(Case.id, Case.overdue_days_charged)).all())
    deemed = Counter(int(key.split(":")[1]) for key in keys if key.startswith("deemed_acceptance:"))
    overdue = Counter(int(key.split(":")[1]) for key in keys if key.startswith("case_overdue:"))
    problems = [f"case {case_id}: timer fired {count} times" for case_id, count in timers.items() if count > 1]
    problems += [f"case {case_id}: deemed acceptance charged {count} times" for case_id, count in deemed.items()
                 if count > 1]
    problems += [f"case {case_id}: {charged[case_id]} overdue days charged, {overdue[case_id]} ledger entries"
                 for case_id in charged if overdue[case_id] != charged[case_id]]
    if final:
        problems += [f"case {case_id}: its notice timer never fired" for case_id in timer_ids if not timers[case_id]]
        problems += [f"case {case_id}: deemed acceptance not charged" for case_id in timer_ids if not deemed[case_id]]
        problems += [str(finding) for finding in check_caught_up(engine)]
    return problems


def pending_work(engine) -> tuple[int, int]:
    """(timers due, deadline checks due) right now."""
    now = engine.clock.now()
    with engine.session() as session:
        return (session.scalar(select(func.count()).select_from(Case).where(Case.next_timer_at <= now)),
                session.scalar(select(func.count()).select_from(Case).where(Case.deadline_check_at <= now)))


def holds_lease(engine, pid: int) -> bool:
    with engine.session() as session:
        holder = session.scalar(select(Lease.holder).where(Lease.name == "scheduler"))
    return holder is not None and f":{pid}:" in holder


def crash_scheduler(url: str, timer_ids: set[int], *, kills: int, seed: int, max_delay: float = 1.0) -> Outcome:
    """Kill ``onewindow scheduler`` while it holds the lease, check, restart; then let it catch up."""
    rng, outcome, phases = random.Random(seed), Outcome(), Counter()
    engine = CaseEngine(url)  # the system clock, as the scheduler's
    argv = onewindow("scheduler", "--interval", "1", "--lease", "2")
    started = time.monotonic()
    for _ in range(kills):
        child = Child(argv, url)
        deadline = time.monotonic() + 120
        while not holds_lease(engine, child.process.pid):
            if time.monotonic() > deadline or child.process.poll() is not None:
                outcome.problems.append(f"the scheduler never took the lease: {child.errors()}")
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0, max_delay))
        child.kill()
        outcome.kills += 1
        timers, checks = pending_work(engine)
        phases["firing timers" if timers else "in the deadline sweep" if checks else "idle (work done)"] += 1
        outcome.problems += [f"after kill {outcome.kills}: {finding}" for finding in check_database(engine)]
        outcome.problems += [f"after kill {outcome.kills}: {problem}"
                             for problem in scheduler_problems(engine, timer_ids, final=False)]
    child = Child(argv, url)
    deadline = time.monotonic() + 600
    while any(pending_work(engine)) and time.monotonic() < deadline and child.process.poll() is None:
        time.sleep(0.2)
    with_signal(child.process, signal.SIGINT)  # a clean stop hands the lease back
    if child.finish(60) not in (0, 1, -signal.SIGINT):
        outcome.problems.append(f"the scheduler failed: {child.errors()}")
    outcome.problems += [f"at the end: {finding}" for finding in check_database(engine)]
    outcome.problems += [f"at the end: {problem}" for problem in scheduler_problems(engine, timer_ids, final=True)]
    outcome.seconds = time.monotonic() - started
    with engine.session() as session:
        keys = list(session.scalars(select(LedgerEntry.violation_key)))
        fired = Counter(session.scalars(select(AuditEntry.case_id).where(AuditEntry.action == "timer")))
    outcome.figures = {"kills " + phase: count for phase, count in phases.items()}
    outcome.figures.update({"timers fired once": sum(fired[case_id] == 1 for case_id in timer_ids),
                            "overdue days charged once": sum(key.startswith("case_overdue:") for key in keys),
                            "deemed acceptances charged once": sum(key.startswith("deemed_acceptance:")
                                                                   for key in keys)})
    engine.db.dispose()
    return outcome


# -- the simulation ------------------------------------------------------------------------
def crash_simulation(admin_url: str, prefix: str, *, kills: int, seed: int) -> Outcome:
    """Kill ``onewindow simulate`` mid-run on a fresh database; check it; try to resume it."""
    rng, outcome, refusals, cases = random.Random(seed), Outcome(), 0, 0
    started = time.monotonic()
    for _ in range(kills):
        with scratch_database(admin_url, prefix) as url:
            found, refused = _kill_simulation(url, rng, outcome)
        cases, refusals = cases + found, refusals + refused
    outcome.seconds = time.monotonic() - started
    outcome.figures = {"cases found after the kills": cases, "restarts refused (cannot resume)": refusals}
    return outcome


def _kill_simulation(url: str, rng: random.Random, outcome: Outcome) -> tuple[int, bool]:
    """One kill of the simulation on the empty database at ``url``: (cases found, restart refused)."""
    argv = onewindow("simulate", "--days", "5", "--cases-per-day", "40", "--start", "2026-11-02",
                     "--seed", str(rng.randint(1, 10**6)), "--database", url)
    child = Child(argv, url)
    if not child.wait_for("2026-11-02", 300):  # the first day's line: cases exist from here on
        outcome.problems.append(f"the simulation did not start: {child.errors()}")
        child.kill()
        return 0, False
    time.sleep(rng.uniform(0, 3))
    child.kill()
    outcome.kills += 1
    engine = CaseEngine(url)
    outcome.problems += [f"simulation kill {outcome.kills}: {finding}" for finding in check_database(engine)]
    with engine.session() as session:
        cases = session.scalar(select(func.count()).select_from(Case))
    engine.db.dispose()
    again = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return cases, again.returncode != 0 and "already holds" in again.stderr


def report(title: str, outcome: Outcome) -> None:
    print(f"\n{title}: {outcome.kills} kills survived in {outcome.seconds:.0f} s, "
          f"{len(outcome.problems)} problems")
    for label, value in outcome.figures.items():
        print(f"  {label}: {value}")
    for problem in outcome.problems[:20]:
        print(f"  PROBLEM {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--scheduler-kills", type=int, default=20)
    parser.add_argument("--timer-cases", type=int, default=400)
    parser.add_argument("--late-cases", type=int, default=1000)
    parser.add_argument("--simulate-kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=PG_DEFAULT, help="an administrative URL (it creates databases)")
    parser.add_argument("--database", default="onewindow_crash",
                        help="prefix of the scratch databases' names (each gets this run's id; dropped at the end)")
    args = parser.parse_args()
    outcomes = []
    if args.simulate_kills:
        outcomes.append(("onewindow simulate", crash_simulation(args.postgres, f"{args.database}_sim",
                                                                kills=args.simulate_kills, seed=args.seed)))
    with scratch_database(args.postgres, args.database) as url:
        outcomes.append(("resumable driver", crash_driver(seed(url), kills=args.kills, cases=args.cases,
                                                          seed=args.seed)))
    with scratch_database(args.postgres, args.database) as url:
        timer_ids = seed_past_due_work(seed(url), timer_cases=args.timer_cases, late_cases=args.late_cases)
        outcomes.append(("onewindow scheduler", crash_scheduler(url, timer_ids, kills=args.scheduler_kills,
                                                                seed=args.seed)))
    for title, outcome in outcomes:
        report(title, outcome)
    total = sum(outcome.kills for _, outcome in outcomes)
    problems = sum(len(outcome.problems) for _, outcome in outcomes)
    print(f"\n{total} SIGKILLs in all; {problems} problems (lost, doubled or half-done)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
