"""The case register, the statistics and the board's charts at a million cases (PostgreSQL).

    python bench/case_register.py [--cases 1000000] [--runs 5] [--repeat 3] [--postgres URL]

Bulk inserts ``--cases`` cases spread over three years (generate_series, not through the
engine: names, phones, ID and case numbers all differ), then times the queries the pages and
the API run — through the engine's own functions (engine/register.py, engine/statistics.py,
engine/cases/stats.py) — twice each, interleaved: on the schema of migration 0018, and as a
baseline on the schema before it (in a transaction that drops the indexes 0018 added, with the
indexes 0016 had, rolled back afterwards). Prints p50 and p95 per query; asserts nothing.
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

from bench.databases import PG_DEFAULT, postgres_problem, scratch_database  # noqa: E402
from bench.lifecycle import prepare  # noqa: E402
from engine import register  # noqa: E402
from engine import statistics as reports  # noqa: E402
from engine.cases import stats  # noqa: E402
from engine.cases.models import SEARCHED_COLUMNS  # noqa: E402
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
    CASE WHEN n % 10 <> 0 AND n % 4 = 0 THEN (ARRAY['normal','normal','yellow','red'])[1 + n % 4] ELSE 'normal' END,
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
    with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE service_case"))


def queries(engine) -> dict:
    """Name: a function of a session, as the register, the reports and the board run them."""
    with engine.db.connect() as connection:
        sample = connection.execute(text(
            "SELECT number, applicant_name, applicant_phone, applicant_id_number FROM service_case "
            "ORDER BY id OFFSET 4321 LIMIT 1")).one()
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
        "statistics, a month by department": lambda session: reports.report(session, everyone, month, "department",
                                                                              TODAY),
    }


def timed(engine, query, baseline: bool, repeat: int) -> list[float]:
    with engine.db.connect() as connection:
        transaction = connection.begin()
        if baseline:
            for name in NEW_INDEXES:
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


def measure(engine, cases: int, runs: int, repeat: int) -> None:
    started = time.perf_counter()
    fill(engine, cases)
    print(f"{cases:,} cases inserted and indexed in {time.perf_counter() - started:.0f} s")
    named = queries(engine)
    samples = {name: {"0018": [], "baseline": []} for name in named}
    for _ in range(runs):
        for name, query in named.items():  # interleaved: each run times both schemas of every query in turn
            samples[name]["baseline"] += timed(engine, query, True, repeat)
            samples[name]["0018"] += timed(engine, query, False, repeat)
    print(f"{'query':<42} {'0018 p50':>9} {'p95':>8} {'baseline p50':>13} {'p95':>8}  (ms, {runs} runs x {repeat})")
    for name, times in samples.items():
        new, old = times["0018"], times["baseline"]
        print(f"{name:<42} {statistics.median(new):>9.1f} {percentile(new, 0.95):>8.1f}"
              f" {statistics.median(old):>13.1f} {percentile(old, 0.95):>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    args = parser.parse_args()
    problem = postgres_problem(args.postgres)
    if problem:
        sys.exit(f"{problem}: this benchmark needs PostgreSQL")
    with scratch_database(args.postgres, "onewindow_register") as url:
        engine, _actors = prepare(url)
        try:
            measure(engine, args.cases, args.runs, args.repeat)
        finally:
            engine.db.dispose()


if __name__ == "__main__":
    main()
