"""Races on PostgreSQL: many threads acting on the same case at once, and zero lost updates.

    python bench/races.py [--operations 10000] [--racers 50] [--postgres URL] [--database NAME]

Racers are threads spread over ten CaseEngines (ten app processes, each with a pool of five
connections per five threads), released together by a barrier. Each round races on fresh cases:
- sweep:    the scheduler's tick (timers, deadline sweep) runs while approvers decide late
            cases: every decision kept, every late working day charged exactly once.
- timer:    the scheduler's tick fires notice timers while clerks issue those very notices:
            for each case exactly one of the two takes effect.
- claim:    all racers claim the same review task: one wins, every other gets a Conflict.
- complete: all racers complete the same claimed task: one completes, the rest get a Conflict.
- correct:  two clerks submit the correction of the same case (racers / 2 cases at once).
(The clock-moving scenarios go first, so later cases are not left to run late.)

A lost update is an acknowledged success the database does not show, or an effect the
database holds more often than it was acknowledged. After each scenario the integrity
check (engine.integrity.check_database) runs over the whole database. Prints operations,
winners, conflicts, lost updates and time; exits 1 on any lost update or problem.
"""

import argparse
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from bench.crash import seed  # noqa: E402
from bench.databases import PG_DEFAULT, scratch_database  # noqa: E402
from engine.audit.models import AuditEntry  # noqa: E402
from engine.cases.models import Case  # noqa: E402
from engine.catalogue.models import ServiceItem  # noqa: E402
from engine.clock import SimulatedClock, local_datetime  # noqa: E402
from engine.db import make_engine  # noqa: E402
from engine.errors import Conflict  # noqa: E402
from engine.integrity import check_database  # noqa: E402
from engine.ledger.models import LedgerEntry  # noqa: E402
from engine.runtime import CaseEngine  # noqa: E402
from engine.staff.models import Staff  # noqa: E402
from engine.staff.service import actor_for  # noqa: E402
from engine.tasks.models import HumanTask  # noqa: E402
from scheduler.runner import Scheduler  # noqa: E402

START = local_datetime(date(2026, 11, 23), 9)
REVIEWED = "SCJG-002"  # 承诺件 of SCJG, promised in 10 working days
QUICK = "ZJJ-001"  # 承诺件 of ZJJ, promised in 3: late cases without moving the clock far
APPLICANT = {"kind": "person", "name": "张三", "id_type": "居民身份证", "id_number": "11010519491231002X",
             "phone": "13800138000"}
APPROVE = {"decision": "approve", "opinion": "符合法定条件"}


@dataclass
class Tally:
    scenario: str
    rounds: int = 0
    operations: int = 0
    winners: int = 0
    conflicts: int = 0
    lost: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)  # which side won, where either may
    messages: Counter = field(default_factory=Counter)  # what the losers were told

    def judge(self, results: list, won: Callable) -> list[int]:
        """Count the round's results; returns the indexes of the winners. A loser must get a Conflict."""
        self.operations += len(results)
        winners = [index for index, result in enumerate(results) if won(result)]
        self.winners += len(winners)
        for index, result in enumerate(results):
            if isinstance(result, Conflict):
                self.conflicts += 1
                self.messages[result.message] += 1
            elif index not in winners:
                self.problems.append(f"racer {index}: {result!r}")
        return winners


class Arena:
    """Engines standing in for app processes, one simulated clock, the demo staff."""

    def __init__(self, url: str, racers: int, processes: int = 10):
        self.racers, self.clock = racers, SimulatedClock(START)
        pool = -(-racers // processes)
        # Exactly one connection per racing thread: a step never needs a second one.
        self.engines = [CaseEngine(make_engine(url, pool_size=pool, max_overflow=0), clock=self.clock)
                        for _ in range(processes)]
        self.setup = self.engines[0]
        self.scheduler = Scheduler(self.setup)
        with self.setup.session() as session:
            self.staff = {staff.username: actor_for(staff) for staff in session.scalars(select(Staff))}
            self.materials = {code: [m.code for m in session.get(ServiceItem, code).materials if m.mandatory]
                              for code in (REVIEWED, QUICK)}

    def race(self, actions: list[Callable], jitter: float = 0.0) -> list:
        """Run ``action(engine)`` in one thread each, released together (then each waits up to
        ``jitter`` seconds, so either side of an uneven race gets to be first); results or exceptions."""
        barrier, results = threading.Barrier(len(actions)), [None] * len(actions)
        delays = [random.uniform(0, jitter) for _ in actions]

        def run(index: int) -> None:
            barrier.wait()
            time.sleep(delays[index])
            try:
                results[index] = actions[index](self.engines[index % len(self.engines)])
            except Exception as error:  # every outcome is judged, a crash included
                results[index] = error
        threads = [threading.Thread(target=run, args=(index,)) for index in range(len(actions))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        return results

    def new_case(self, item: str = REVIEWED, *, missing: bool = False) -> tuple[Case, HumanTask]:
        materials = self.materials[item]
        form = {"received_materials": materials[:-1] if missing else materials, "material_defects": [],
                "acceptable": True, "delivery_method": "pickup"}
        case = self.setup.create_case(self.staff["clerk1"], item, APPLICANT, form)
        return case, self.setup.open_tasks(case.number)[0]

    def audit_count(self, action: str, **where) -> int:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        for column, value in where.items():
            query = query.where(getattr(AuditEntry, column) == value)
        with self.setup.session() as session:
            return session.scalar(query)

    def row(self, task_id: str) -> HumanTask:
        with self.setup.session() as session:
            return session.get(HumanTask, task_id)

    def move_to(self, day: date, hour: int) -> None:
        self.clock.set(local_datetime(day, hour))

    def close(self) -> None:
        for engine in self.engines:
            engine.db.dispose()


# -- scenarios: each plays one round ----------------------------------------------------------
def claim_round(arena: Arena, tally: Tally) -> None:
    _, task = arena.new_case()
    people = [arena.staff[name] for name in ("scjg_approver1", "scjg_approver2", "scjg_chief")]
    results = arena.race([lambda engine, actor=people[index % 3]: engine.claim_task(actor, task.id)
                          for index in range(arena.racers)])
    winners = tally.judge(results, lambda result: isinstance(result, HumanTask))
    claims = arena.audit_count("claim", task_id=task.id)
    holder = arena.row(task.id).assignee_id
    kept = len(winners) == 1 and holder == results[winners[0]].assignee_id
    tally.lost += abs(len(winners) - claims) + (0 if kept or not winners else 1)
    if len(winners) != 1:
        tally.problems.append(f"claim of {task.id}: {len(winners)} winners")


def complete_round(arena: Arena, tally: Tally) -> None:
    _, task = arena.new_case()
    approver = arena.staff["scjg_approver1"]
    arena.setup.claim_task(approver, task.id)
    forms = [{**APPROVE, "opinion": f"意见 {index}"} for index in range(arena.racers)]
    results = arena.race([lambda engine, form=form: engine.complete_task(approver, task.id, form) for form in forms])
    winners = tally.judge(results, lambda result: isinstance(result, Case))
    with arena.setup.session() as session:
        opinions = [entry.detail["form"]["opinion"] for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.task_id == task.id, AuditEntry.action == "complete"))]
    kept = len(winners) == 1 and opinions == [forms[winners[0]]["opinion"]] and arena.row(task.id).state == "completed"
    tally.lost += abs(len(winners) - len(opinions)) + (0 if kept or not winners else 1)
    if len(winners) != 1:
        tally.problems.append(f"completion of {task.id}: {len(winners)} winners")


def correct_round(arena: Arena, tally: Tally) -> None:
    notices = [arena.new_case(missing=True)[1] for _ in range(max(1, arena.racers // 2))]
    corrections = [arena.setup.complete_task(arena.staff["clerk1"], notice.id, {"notice_remarks": "请补齐"})
                   for notice in notices]
    tasks = [arena.setup.open_tasks(case.number)[0] for case in corrections]
    clerks = [arena.staff["clerk2"], arena.staff["clerk3"]]
    form = {"correction_action": "submit", "received_materials": arena.materials[REVIEWED], "material_defects": []}
    results = arena.race([lambda engine, task=task, clerk=clerk: engine.complete_task(clerk, task.id, form)
                          for task in tasks for clerk in clerks])
    tally.judge(results, lambda result: isinstance(result, Case))
    for number, task in enumerate(tasks):
        pair = results[2 * number: 2 * number + 2]
        won = [clerks[index].id for index, result in enumerate(pair) if isinstance(result, Case)]
        completions = arena.audit_count("complete", task_id=task.id)
        kept = len(won) == 1 and arena.row(task.id).completed_by_id == won[0]
        tally.lost += abs(len(won) - completions) + (0 if kept or not won else 1)
        if len(won) != 1:
            tally.problems.append(f"correction {task.id}: {len(won)} winners")


def timer_round(arena: Arena, tally: Tally) -> None:
    """Notices left to the last moment: the clerk issues it just as the 5-working-day timer falls due."""
    notices = [arena.new_case(missing=True)[1] for _ in range(max(1, arena.racers // 5))]
    arena.move_to(arena.setup.calendar.get().add_working_days(arena.clock.today(), 6).day, 9)
    fired_before = arena.audit_count("timer")
    clerk = arena.staff["clerk2"]
    actions = [lambda engine, task=task: engine.complete_task(clerk, task.id, {"notice_remarks": "请补齐"})
               for task in notices]
    results = arena.race([*actions, lambda engine: arena.scheduler.tick()], jitter=0.3)
    tick = results.pop()
    winners = tally.judge(results, lambda result: isinstance(result, Case))
    tally.operations += 1
    if not isinstance(tick, dict):
        tally.problems.append(f"the scheduler's tick: {tick!r}")
        return
    # The tick acknowledges the timers it fired (older cases' correction windows among them): all there.
    tally.lost += abs(tick["timers"] - (arena.audit_count("timer") - fired_before))
    for index, task in enumerate(notices):
        issued = arena.audit_count("complete", task_id=task.id)
        timed = arena.audit_count("timer", case_id=task.case_id)
        tally.winners += timed  # the timer won this case's race (the clerk was counted by judge)
        tally.lost += abs((index in winners) - issued) + abs(issued + timed - 1)  # exactly one of the two
        tally.outcomes["notice issued" if issued else "timer fired"] += 1


def sweep_round(arena: Arena, tally: Tally) -> None:
    """Late cases: their approvers decide them while the scheduler sweeps (and charges) them."""
    approver = arena.staff["zjj_approver1"]
    created = [arena.new_case(QUICK) for _ in range(max(1, arena.racers // 5))]
    reviews = [task for _, task in created]
    for task in reviews:
        arena.setup.claim_task(approver, task.id)
    due = created[0][0].due_date  # all received the same moment
    calendar = arena.setup.calendar.get()
    arena.move_to(calendar.add_working_days(due, 3).day, 10)
    late = calendar.working_days_between(due, arena.clock.today())
    actions = [lambda engine, task=task: engine.complete_task(approver, task.id, APPROVE) for task in reviews]
    results = arena.race([*actions, lambda engine: arena.scheduler.tick()], jitter=0.1)
    tick = results.pop()
    winners = tally.judge(results, lambda result: isinstance(result, Case))
    tally.operations += 1
    if not isinstance(tick, dict):
        tally.problems.append(f"the scheduler's tick: {tick!r}")
    with arena.setup.session() as session:
        for index, task in enumerate(reviews):
            case = session.get(Case, task.case_id)
            charges = session.scalar(select(func.count()).select_from(LedgerEntry).where(
                LedgerEntry.case_id == case.id, LedgerEntry.violation_key.like("case_overdue:%")))
            decided = arena.audit_count("complete", task_id=task.id)
            tally.lost += abs((index in winners) - decided) + abs(charges - late) + abs(case.overdue_days_charged - late)
            if index in winners and case.decided_at is None:
                tally.lost += 1
            swept = arena.audit_count("deadline", case_id=case.id)
            tally.outcomes["swept, then decided" if swept else "decided (the sweep passed it by)"] += 1


# The clock-moving scenarios first; each gets its share of the operations.
SCENARIOS = {"sweep": (sweep_round, 0.03), "timer": (timer_round, 0.03), "claim": (claim_round, 0.45),
             "complete": (complete_round, 0.45), "correct": (correct_round, 0.04)}


def play(arena: Arena, scenario: str, operations: int) -> Tally:
    """Rounds of one scenario until ``operations`` racing operations ran, then the integrity check."""
    tally, started, play_round = Tally(scenario), time.monotonic(), SCENARIOS[scenario][0]
    while tally.rounds == 0 or tally.operations < operations:
        play_round(arena, tally)
        tally.rounds += 1
    tally.problems += [str(finding) for finding in check_database(arena.setup)]
    tally.seconds = time.monotonic() - started
    return tally


def run(url: str, *, operations: int, racers: int) -> list[Tally]:
    arena = Arena(url, racers)
    try:
        return [play(arena, scenario, round(share * operations)) for scenario, (_, share) in SCENARIOS.items()]
    finally:
        arena.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=10_000)
    parser.add_argument("--racers", type=int, default=50)
    parser.add_argument("--postgres", default=PG_DEFAULT, help="an administrative URL (it creates a database)")
    parser.add_argument("--database", default="onewindow_races",
                        help="prefix of the scratch database's name (it gets this run's id; dropped at the end)")
    args = parser.parse_args()
    with scratch_database(args.postgres, args.database) as url:
        seed(url)
        started = time.monotonic()
        tallies = run(url, operations=args.operations, racers=args.racers)
        elapsed = time.monotonic() - started
    print(f"{args.racers} racers on PostgreSQL")
    print(f"{'scenario':>9} {'rounds':>7} {'operations':>11} {'winners':>8} {'conflicts':>10} {'lost updates':>13} "
          f"{'seconds':>8}")
    for tally in tallies:
        print(f"{tally.scenario:>9} {tally.rounds:>7} {tally.operations:>11} {tally.winners:>8} {tally.conflicts:>10} "
              f"{tally.lost:>13} {tally.seconds:>8.1f}")
        if tally.outcomes:
            print(f"{'':>9} " + ", ".join(f"{label}: {count}" for label, count in tally.outcomes.items()))
        for problem in tally.problems[:10]:
            print(f"  PROBLEM {problem}")
    total = sum(tally.operations for tally in tallies)
    lost = sum(tally.lost for tally in tallies)
    problems = sum(len(tally.problems) for tally in tallies)
    print(f"{'all':>9} {'':>7} {total:>11} {sum(t.winners for t in tallies):>8} "
          f"{sum(t.conflicts for t in tallies):>10} {lost:>13} {elapsed:>8.1f}")
    print(f"{total} racing operations, {lost} lost updates, {problems} problems")
    sys.exit(1 if lost or problems else 0)


if __name__ == "__main__":
    main()
