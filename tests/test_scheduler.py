"""The scheduler: one active holder of the lease, jobs that survive failures, no double work."""

import multiprocessing
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.clock import SimulatedClock, local_datetime
from engine.ledger.models import LedgerEntry
from engine.runtime import CaseEngine
from scheduler import jobs
from scheduler.runner import Scheduler
from tests.helpers import intake, person

LATE = local_datetime(date(2026, 12, 10), 10)  # notice timers long due; accepted cases 3 working days late


def _cases(engine, staff, incomplete: int, complete: int) -> None:
    for index in range(incomplete + complete):
        engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002", missing=int(index < incomplete)))


def _counts(engine) -> tuple[int, int]:
    with engine.session() as session:
        timers = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "timer"))
        entries = session.scalar(select(func.count()).select_from(LedgerEntry))
    return timers, entries


def test_a_tick_fires_timers_and_sweeps_deadlines(engine, staff, clock):
    _cases(engine, staff, incomplete=2, complete=1)
    clock.set(LATE)
    result = Scheduler(engine).tick()
    # The timer steps bring their own cases' deadlines up to date; the sweep takes the third.
    # The log channel's notifications of the cases' steps so far and of the timers and sweep (engine/outbox/).
    assert result == {"timers": 2, "deadlines": 1, "attendance": 0, "ratings": 0, "notifications": 11, "enquiries": 0}
    # 2 deemed acceptances, and 3 cases x 3 working days late (12-08, 09, 10).
    assert _counts(engine) == (2, 2 + 9)
    assert Scheduler(engine).tick() is None  # another holder has the lease


def test_only_one_scheduler_holds_the_lease_and_another_takes_over_when_it_dies(engine, clock):
    first, second = Scheduler(engine, lease_seconds=60), Scheduler(engine, lease_seconds=60)
    assert first.holds_lease() and not second.holds_lease()
    clock.advance(timedelta(seconds=30))
    assert first.holds_lease() and not second.holds_lease()  # renewed
    clock.advance(timedelta(seconds=61))  # the first one has gone silent
    assert second.holds_lease() and not first.holds_lease()
    second.stop()  # a clean stop hands the lease back at once
    assert first.holds_lease()


def test_a_failing_job_is_logged_and_the_others_still_run(engine, staff, clock, monkeypatch, caplog):
    _cases(engine, staff, incomplete=0, complete=1)
    clock.set(LATE)

    def broken(limit):
        raise RuntimeError("database hiccup")
    monkeypatch.setattr(engine, "fire_due_timers", broken)
    result = Scheduler(engine).tick()
    assert result == {"timers": -1, "deadlines": 1, "attendance": 0, "ratings": 0, "notifications": 3, "enquiries": 0}
    assert "scheduler job timers failed" in caplog.text


def test_a_broken_case_does_not_stop_the_sweep(engine, staff, clock, monkeypatch, caplog):
    _cases(engine, staff, incomplete=0, complete=2)
    clock.set(LATE)
    from engine.deadlines import service
    real = service.evaluate

    def evaluate(case, *args, **kwargs):
        if case.id == 1:
            raise ValueError("corrupt row")
        return real(case, *args, **kwargs)
    monkeypatch.setattr(service, "evaluate", evaluate)
    engine.sweep_deadlines()
    assert "deadline sweep of case" in caplog.text
    monkeypatch.setattr(service, "evaluate", real)
    assert engine.sweep_deadlines() == 1  # the broken one is still due and is retried
    assert _counts(engine) == (0, 6)


# -- two real processes on PostgreSQL --------------------------------------------------------------
def _run_jobs_in_child(url: str, moment: str, barrier, with_lease: bool, results) -> None:
    engine = CaseEngine(url, clock=SimulatedClock(datetime.fromisoformat(moment)))
    barrier.wait()
    if with_lease:
        results.put(Scheduler(engine).tick())
    else:
        results.put({name: job(engine, batch=3) for name, job in jobs.JOBS.items()})
    engine.db.dispose()


def _race(url: str, with_lease: bool) -> list:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    children = [context.Process(target=_run_jobs_in_child, args=(url, LATE.isoformat(), barrier, with_lease, results))
                for _ in range(2)]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    return outcomes


def test_two_processes_running_the_jobs_together_never_double_fire_or_double_charge(postgres_url, clock):
    engine = CaseEngine(postgres_url, clock=clock)
    from tests.conftest import actors
    staff = actors(engine)
    _cases(engine, staff, incomplete=6, complete=6)
    outcomes = _race(postgres_url, with_lease=False)
    assert sum(outcome["timers"] for outcome in outcomes) == 6
    # Each process worked its share: together every case was swept, none twice in one state.
    assert _counts(engine) == (6, 6 + 12 * 3)
    with engine.session() as session:
        keys = session.scalars(select(LedgerEntry.violation_key)).all()
    assert len(keys) == len(set(keys))
    engine.db.dispose()


def test_two_scheduler_processes_started_together_elect_one(postgres_url, clock):
    engine = CaseEngine(postgres_url, clock=clock)
    from tests.conftest import actors
    _cases(engine, actors(engine), incomplete=2, complete=2)
    outcomes = _race(postgres_url, with_lease=True)
    assert sorted(outcomes, key=lambda outcome: outcome is None) == [
        {"timers": 2, "deadlines": 2, "attendance": 0, "ratings": 0, "notifications": 14, "enquiries": 0}, None]
    assert _counts(engine) == (2, 2 + 4 * 3)
    engine.db.dispose()
