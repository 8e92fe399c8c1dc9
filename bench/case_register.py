"""The case register, the statistics and the board's counts and charts at a million cases (PostgreSQL).

    python bench/case_register.py [--cases 1000000] [--runs 5] [--repeat 3] [--postgres URL]
                                  [--history [--workflow-share 1.0]]

Bulk inserts ``--cases`` cases spread over three years (generate_series, not through the
engine: names, phones, ID and case numbers all differ), then times the queries the pages and
the API run — through the engine's own functions (engine/register.py, engine/statistics.py,
engine/cases/stats.py, engine/deadlines/board.py) — on three schemas, interleaved: on the schema
of the head (0028), on the schema before 0028 (its board indexes dropped, 0027's open-task index
kept), and as a baseline before 0018 too (the indexes 0018 added dropped as well, with the indexes
0016 had), each in a transaction rolled back afterwards. Prints p50 and p95 per query; asserts nothing.

``--history`` gives every filler case the rows a real case of its kind leaves behind (workflow,
human tasks, audit, outbox, decision documents, ratings: bench/case_history.py) and prints their
rows and sizes; ``--workflow-share`` gives the workflow task rows to only that share of them.
"""

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench import case_history  # noqa: E402
from bench.databases import PG_DEFAULT, postgres_problem, scratch_database  # noqa: E402
from bench.lifecycle import prepare  # noqa: E402
from engine import register  # noqa: E402
from engine import statistics as reports  # noqa: E402
from engine.cases import stats  # noqa: E402
from engine.cases.models import SEARCHED_COLUMNS  # noqa: E402
from engine.deadlines import board  # noqa: E402
from engine.ledger.scores import parse_period  # noqa: E402
from engine.permissions import CaseScope  # noqa: E402

TODAY = date(2026, 12, 1)
DAYS = 1095  # three years of cases
# What migration 0018 added; the baseline drops them and keeps what 0016 had (re-created below).
NEW_INDEXES = [f"ix_case_{column}_trgm" for column in SEARCHED_COLUMNS] + [
    "ix_case_received_figures", "ix_case_accepted_figures", "ix_case_decided_figures", "ix_case_received_at",
    "ix_case_department_received_at", "ix_case_registered_by_received_at", "ix_case_notice_issued_at",
    "ix_case_undecided_due"]
OLD_INDEXES = {"bench_ix_case_received_on": "received_on", "bench_ix_case_accepted_on": "accepted_on",
               "bench_ix_case_decided_at": "decided_at"}
# What migration 0028 added or widened: "0027" drops them and keeps 0027's open-task index (re-created below).
BOARD_INDEXES = ["ix_human_task_open_deadline", "ix_human_task_open_case", "ix_case_department_id", "ix_case_open_id"]
OLD_OPEN_TASKS = ("CREATE INDEX bench_ix_human_task_open_deadline ON human_task (assignee_id, deadline_state) "
                  "WHERE state = 'open'")
# Each schema the queries are timed on: the indexes dropped (in a transaction rolled back afterwards).
SCHEMAS = {"0028": [], "0027": BOARD_INDEXES, "baseline": NEW_INDEXES + BOARD_INDEXES}

FILL = """
WITH items AS (
    SELECT row_number() OVER (ORDER BY code) - 1 AS i, code, department_code, case_type, promised_limit_days
    FROM service_item WHERE active),
clerks AS (SELECT array_agg(id ORDER BY id) AS ids FROM staff WHERE role = 'clerk'),
rows AS (
    SELECT n, CAST(:today AS date) - (n % :days) AS day, item.*, clerks.ids[1 + n % cardinality(clerks.ids)] AS clerk
    FROM generate_series(1, :cases) AS n
    JOIN items item ON item.i = n % (SELECT count(*) FROM items) CROSS JOIN clerks)
INSERT INTO service_case (number, item_code, process_version_id, department_code, case_type, promised_limit_days,
    applicant_kind, applicant_name, applicant_id_type, applicant_id_number, applicant_phone, applicant_address,
    applicant_contact, status, stage, received_at, received_on, notice_count, deemed_accepted, due_provisional,
    accepted_at, accepted_on, due_date, decided_at, decision, closed_at, outcome, deadline_state,
    overdue_days_charged, created_by_id, created_at, updated_at, version)
SELECT 'ZW' || to_char(day, 'YYYYMMDD') || lpad(n::text, 7, '0'), code, :version, department_code, case_type,
    promised_limit_days, 'person',
    (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周','徐','孙','马','朱','胡','郭','何','高','林','罗'])[1 + n % 20]
      || substr(:given, 1 + (n / 20) % 40, 1) || substr(:given, 1 + (n / 800) % 40, 1),
    '居民身份证', '330102' || (1950 + n % 50) || lpad((1 + n % 12)::text, 2, '0') || lpad((1 + n % 28)::text, 2, '0')
      || lpad((n % 1000)::text, 3, '0') || (n % 10),
    '13' || lpad(((n::bigint * 7919) % 1000000000)::text, 9, '0'), '示范市人民路1号', '',
    CASE WHEN n % 10 = 0 THEN '不予受理' WHEN n % 4 = 0 THEN '已受理' ELSE '正常办结' END, '',
    day + interval '1 hour', day, 0, false, false,
    CASE WHEN n % 10 <> 0 THEN day + interval '1 hour 5 minutes' END, CASE WHEN n % 10 <> 0 THEN day END,
    CASE WHEN n % 10 <> 0 THEN day + promised_limit_days + 2 END,
    CASE WHEN n % 10 <> 0 AND n % 4 <> 0 THEN day + (n % 15) * interval '1 day' + interval '1 hour 25 minutes' END,
    CASE WHEN n % 10 <> 0 AND n % 4 <> 0 THEN 'approve' END,
    CASE WHEN n % 10 = 0 THEN day + interval '1 hour' WHEN n % 4 <> 0 THEN day + (n % 15 + 1) * interval '1 day' END,
    CASE WHEN n % 10 = 0 THEN 'not_accepted' WHEN n % 4 <> 0 THEN 'completed' END,
    CASE WHEN n % 10 <> 0 AND n % 4 = 0 THEN (ARRAY['normal','normal','yellow','red'])[1 + n / 4 % 4] ELSE 'normal' END,
    0, clerk, day + interval '1 hour', day + interval '1 hour', 1
FROM rows
"""
GIVEN = "明华国建丽芳军伟静敏强磊洋艳勇杰娟涛超秀兰霞平刚桂英玉萍红娥玲芬燕彬鹏斌辉浩"


def fill(engine, cases: int) -> None:
    with engine.db.begin() as connection:
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for name in NEW_INDEXES:  # built once after the load: faster than row by row
            connection.execute(text(f"DROP INDEX {name}"))
        version = connection.execute(text("SELECT max(id) FROM process_version")).scalar_one()
        connection.execute(text(FILL), {"today": TODAY, "days": DAYS, "cases": cases, "version": version,
                                        "given": GIVEN})
    with engine.db.begin() as connection:
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for column in SEARCHED_COLUMNS:
            connection.execute(text(f"CREATE INDEX ix_case_{column}_trgm ON service_case USING gin "
                                    f"({column} gin_trgm_ops)"))
        for name, columns in (("ix_case_received_figures", "received_on, department_code"),
                              ("ix_case_accepted_figures", "accepted_on, department_code, case_type, decided_at"),
                              ("ix_case_decided_figures", "decided_at, department_code, due_date"),
                              ("ix_case_received_at", "received_at, id"),
                              ("ix_case_department_received_at", "department_code, received_at"),
                              ("ix_case_registered_by_received_at", "created_by_id, received_at"),
                              ("ix_case_notice_issued_at", "notice_issued_at")):
            connection.execute(text(f"CREATE INDEX {name} ON service_case ({columns})"))
        connection.execute(text("CREATE INDEX ix_case_undecided_due ON service_case (due_date) "
                                "WHERE decided_at IS NULL AND closed_at IS NULL"))
        for name, column in OLD_INDEXES.items():
            connection.execute(text(f"CREATE INDEX {name} ON service_case ({column})"))
        connection.execute(text(OLD_OPEN_TASKS))
    with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE service_case"))


def board_summary(session, calendar, department_code=None, assignee_id=None) -> None:
    """What the board's summary (web/board/service.py) counts and lists, with its filters."""
    narrowing = {"department_code": department_code, "assignee_id": assignee_id}
    board.counts_by_department(session, assignee_id=assignee_id)
    board.commitment_counts_by_department(session, assignee_id=assignee_id)
    board.counts_by_assignee(session, **narrowing)
    board.flagged_cases(session, calendar, TODAY, **narrowing)
    board.commitment_flags(session, calendar, TODAY, **narrowing)


def board_rest(session, calendar, department_code=None) -> None:
    """The page's other board queries: stopped clocks and postal deliveries (30 days)."""
    first = board.period_start(TODAY, stats.DEFAULT_DAYS)
    board.stopped_clocks(session, calendar, TODAY, department_code=department_code)
    board.delivery_tally(session, TODAY, first, department_code=department_code)
    board.late_deliveries(session, calendar, TODAY, first, department_code=department_code)


def queries(engine) -> dict:
    """Name: a function of a session, as the register, the reports and the board run them."""
    with engine.db.connect() as connection:
        sample = connection.execute(text(
            "SELECT number, applicant_name, applicant_phone, applicant_id_number FROM service_case "
            "ORDER BY id OFFSET 4321 LIMIT 1")).one()
        holder = connection.execute(text(
            "SELECT assignee_id FROM human_task WHERE state = 'open' AND assignee_id IS NOT NULL "
            "GROUP BY assignee_id ORDER BY count(*) DESC LIMIT 1")).scalar()
    calendar = engine.calendar.get()
    everyone, scjg = CaseScope(), CaseScope(department_code="SCJG")
    month = parse_period("2026-11")

    def find(scope, **filters):
        return lambda session: register.page(session, scope, register.RegisterQuery(**filters))
    return {
        "name (3 characters, any part)": find(everyone, q=sample.applicant_name),
        "name (2 characters, beginning)": find(everyone, q=sample.applicant_name[:2]),
        "case number part (9 characters)": find(everyone, q=sample.number[-9:]),
        "phone part (7 digits)": find(everyone, q=sample.applicant_phone[-7:]),
        "ID number part (8 digits)": find(everyone, q=sample.applicant_id_number[-8:]),
        "filters + page 3 (dept, status, month)": find(scjg, status="正常办结", received_from=date(2026, 11, 1),
                                                      received_to=date(2026, 11, 30), page=3),
        "no filter: count all + page 1": find(everyone),
        "department: count + page 20": find(scjg, page=20),
        "board charts, 30 days (daily_figures)": lambda session: stats.daily_figures(session, TODAY),
        "board charts, 30 days, department": lambda session: stats.daily_figures(session, TODAY, 30, "SCJG"),
        "board summary counts + flags": lambda session: board_summary(session, calendar),
        "board summary, department": lambda session: board_summary(session, calendar, "SCJG"),
        "board summary, one person's cases": lambda session: board_summary(session, calendar, assignee_id=holder),
        "board stopped clocks + deliveries": lambda session: board_rest(session, calendar),
        "statistics, a month by department": lambda session: reports.report(session, everyone, month, "department",
                                                                              TODAY),
    }


def timed(engine, query, dropped: list[str], repeat: int) -> list[float]:
    with engine.db.connect() as connection:
        transaction = connection.begin()
        for name in dropped:
            connection.execute(text(f"DROP INDEX {name}"))
        session = Session(bind=connection)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            query(session)
            times.append((time.perf_counter() - started) * 1000)
        session.close()
        transaction.rollback()
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(engine, actors, cases: int, runs: int, repeat: int, workflow_share: float | None) -> None:
    templates = case_history.template_cases(engine, actors) if workflow_share is not None else None
    started = time.perf_counter()
    fill(engine, cases)
    print(f"{cases:,} cases inserted and indexed in {time.perf_counter() - started:.0f} s", flush=True)
    if templates:
        started = time.perf_counter()
        case_history.copy_history(engine, templates, workflow_share)
        print(f"history of templates {templates} copied in {time.perf_counter() - started:.0f} s"
              f" (workflow tasks for {workflow_share:.0%} of the cases):")
        case_history.report(engine)
    named = queries(engine)
    samples = {name: {schema: [] for schema in SCHEMAS} for name in named}
    for _ in range(runs):
        for name, query in named.items():  # interleaved: each run times every schema of every query in turn
            for schema, dropped in reversed(SCHEMAS.items()):
                samples[name][schema] += timed(engine, query, dropped, repeat)
    print(f"{'query':<42}" + "".join(f" {schema + ' p50':>13} {'p95':>8}" for schema in SCHEMAS)
          + f"  (ms, {runs} runs x {repeat})")
    for name, times in samples.items():
        print(f"{name:<42}" + "".join(f" {statistics.median(samples):>13.1f} {percentile(samples, 0.95):>8.1f}"
                                      for samples in times.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--history", action="store_true", help="give every filler case a real case's history")
    parser.add_argument("--workflow-share", type=float, default=1.0,
                        help="with --history: the share of cases that get workflow task rows too")
    args = parser.parse_args()
    problem = postgres_problem(args.postgres)
    if problem:
        sys.exit(f"{problem}: this benchmark needs PostgreSQL")
    with scratch_database(args.postgres, "onewindow_register") as url:
        engine, actors = prepare(url)
        try:
            measure(engine, actors, args.cases, args.runs, args.repeat, args.workflow_share if args.history else None)
        finally:
            engine.db.dispose()


if __name__ == "__main__":
    main()
