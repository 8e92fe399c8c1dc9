"""The scheduler's tick and the board's query with many open cases (PostgreSQL).

    python bench/sweep.py [--sizes 100000 1000000] [--due 1000] [--postgres URL]

1,000 real cases (created through the engine) become due; the other open cases, bulk
inserted with SQL, are not due for weeks. For each size the script times one scheduler
tick (timers + deadline sweep over the due cases, all states and ledger charges written),
the board's summary queries and its chart figures (30 days, all departments). The due cases are reset between sizes so each tick
does the same work. Prints its figures; asserts nothing.
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text  # noqa: E402

from bench.databases import PG_DEFAULT, postgres_problem, scratch_database  # noqa: E402
from bench.lifecycle import APPLICANT, prepare  # noqa: E402
from engine.cases import stats  # noqa: E402
from engine.cases.models import Case  # noqa: E402
from engine.clock import local_datetime  # noqa: E402
from engine.deadlines import board  # noqa: E402
from scheduler.runner import Scheduler  # noqa: E402

ITEM = "SCJG-002"
START = date(2026, 11, 23)
LATE = local_datetime(date(2026, 12, 10), 10)  # the real cases are 3 working days late by then

FILLER_CASES = """
INSERT INTO service_case (number, item_code, process_version_id, department_code, case_type, promised_limit_days,
    applicant_kind, applicant_name, applicant_id_type, applicant_id_number, applicant_phone, applicant_address,
    applicant_contact, status, stage, received_at, received_on, notice_count, deemed_accepted, due_provisional,
    accepted_at, accepted_on, due_date, deadline_state, deadline_check_at, overdue_days_charged,
    created_at, updated_at, version)
SELECT 'BENCH' || lpad(n::text, 10, '0'), item.code, :version, item.department_code, item.case_type,
    item.promised_limit_days, 'person', '测试', '居民身份证', '110105194912310029', '13800138000', '', '',
    '已受理', '审查决定', :received, :received_on, 0, false, false, :received, :received_on,
    CAST(:received_on AS date) + 60, (ARRAY['normal', 'normal', 'normal', 'yellow', 'red'])[1 + n % 5],
    :later + (n % 40) * interval '1 day', 0, :received, :received, 1
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n,
     LATERAL (SELECT code, department_code, case_type, promised_limit_days FROM service_item
              WHERE promised_limit_days > 0 ORDER BY code OFFSET n % 5 LIMIT 1) AS item
"""
FILLER_TASKS = """
INSERT INTO human_task (id, case_id, bpmn_id, name, role, department_code, form, claim_required, state,
    assignee_id, created_at, due_date, deadline_state)
SELECT gen_random_uuid()::text, c.id, 'review', '审查决定', 'approver', c.department_code, 'decision.schema.json',
    true, 'open', NULL, c.created_at, c.due_date - 1, c.deadline_state
FROM service_case c WHERE c.number LIKE 'BENCH%' AND c.id > :after
"""
RESET_DUE = """
UPDATE service_case SET deadline_state = 'normal', overdue_days_charged = 0,
    deadline_check_at = :check_at WHERE number NOT LIKE 'BENCH%';
UPDATE human_task SET deadline_state = 'normal' WHERE case_id IN
    (SELECT id FROM service_case WHERE number NOT LIKE 'BENCH%');
DELETE FROM ledger_entry; DELETE FROM audit_entry WHERE action = 'deadline'
"""


def create_due_cases(engine, actors, count: int) -> None:
    from tests.helpers import intake

    form = intake(engine, ITEM)
    for _ in range(count):
        engine.create_case(actors["clerk1"], ITEM, APPLICANT, form)


def add_filler(engine, first: int, last: int) -> None:
    with engine.db.begin() as connection:
        version = connection.execute(text("SELECT max(id) FROM process_version")).scalar_one()
        after = connection.execute(text("SELECT coalesce(max(id), 0) FROM service_case")).scalar_one()
        received = local_datetime(START, 9)
        connection.execute(text(FILLER_CASES), {"version": version, "received": received, "received_on": START,
                                                "later": LATE + timedelta(days=3), "first": first, "last": last})
        connection.execute(text(FILLER_TASKS), {"after": after})
    with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE service_case"))
        connection.execute(text("VACUUM ANALYZE human_task"))


def reset_due(engine) -> None:
    with engine.db.begin() as connection:
        for statement in RESET_DUE.split(";"):
            connection.execute(text(statement), {"check_at": local_datetime(START)})


def timed(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(engine, actors, sizes: list[int], due: int) -> None:
    """Create the due cases, then per size: fill, time the ticks and the board's queries, print a row."""
    started = time.perf_counter()
    create_due_cases(engine, actors, due)
    print(f"{due} real cases created through the engine in {time.perf_counter() - started:.0f} s")
    engine.clock.set(LATE)
    print(f"{'open cases':>11} {'due':>5} {'tick ms':>8} {'pick due ms':>12} {'swept':>6} {'ledger rows':>12}"
          f" {'board by dept ms':>17} {'board by person ms':>19} {'red/yellow list ms':>19} {'charts ms':>10}")
    filled = 0
    for size in sorted(sizes):
        started = time.perf_counter()
        add_filler(engine, filled + 1, size - due)
        filled = size - due
        print(f"  (filled to {size} open cases in {time.perf_counter() - started:.0f} s)")
        ticks, swept = [], 0
        for _ in range(5):
            reset_due(engine)
            scheduler = Scheduler(engine)
            tick_started = time.perf_counter()
            result = scheduler.tick()
            ticks.append((time.perf_counter() - tick_started) * 1000)
            swept = result["deadlines"]
            scheduler.stop()
        with engine.db.connect() as connection:
            charged = connection.execute(text("SELECT count(*) FROM ledger_entry")).scalar_one()
        reset_due(engine)
        with engine.session() as session:
            pick = timed(lambda session=session: session.execute(
                select(Case.id).where(Case.deadline_check_at <= LATE).order_by(Case.deadline_check_at)
                .limit(due)).all())
            by_department = timed(lambda session=session: board.counts_by_department(session))
            by_person = timed(lambda session=session: board.counts_by_assignee(session))
            flagged = timed(lambda session=session: board.flagged_cases(session, engine.calendar.get(), LATE.date()))
            charts = timed(lambda session=session: stats.daily_figures(session, LATE.date()))
        print(f"{size:>11,} {due:>5} {statistics.median(ticks):>8.0f} {pick:>12.1f} {swept:>6} {charged:>12}"
              f" {by_department:>17.1f} {by_person:>19.1f} {flagged:>19.1f} {charts:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    args = parser.parse_args()
    problem = postgres_problem(args.postgres)
    if problem:
        sys.exit(f"{problem}: this benchmark needs PostgreSQL")
    with scratch_database(args.postgres, "onewindow_sweep") as url:
        engine, actors = prepare(url)
        try:
            measure(engine, actors, args.sizes, args.due)
        finally:
            engine.db.dispose()

if __name__ == "__main__":
    main()
