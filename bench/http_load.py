"""The application as its users reach it: a mixed load over HTTP, and what one request costs.

    python -m bench.http_load                        # 20 users for 20 s on gunicorn -w 2
    python -m bench.http_load --duration 60 --users 40 --workers 4
    python -m bench.http_load --workers 2 --threads 4   # gthread workers
    python -m bench.http_load --history-days 7       # on a week of the simulated center's cases
    python -m bench.http_load --url http://host:8000 # a server already running (demo accounts)

Starts gunicorn in the production configuration on a PostgreSQL database of the run's own
(or takes ``--url``), signs in the users — 8 clerks, 10 approvers, 2 supervisors of every
20 (bench/http_users.py says what each does) — and runs them for ``--duration`` seconds after
``--warmup``. Prints, per kind of request, n, ok, errors by status and p50/p95/p99 ms; requests/s,
ok task completions/s; the CPU the server (gunicorn's workers, and the PostgreSQL backends of
the run's database) spent per request and per completion; the load generator's own CPU.
Then, on the quiet server, interleaved in each of ``--rounds`` rounds: one request to a
trivial Flask app on the same gunicorn (the framework's floor), one pgbench write
transaction on the run's database (the database's floor), then each kind of request one at
a time; the median over the rounds and the ratio to the framework's floor.
Exits 1 when any answer was a 5xx or none came.
"""

import argparse
import contextlib
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.databases import PG_DEFAULT, postgres_problem, scratch_database
from bench.http_center import deciding, prepare_center, shared_demo_people, sign_in_all, workload_items
from bench.http_users import DECISION, Approver, Clerk, Client, Record, Sample, Supervisor
from bench.serving import (
    cpu_seconds,
    cpu_spent,
    gunicorn,
    log_errors,
    onewindow,
    process_tree,
    production_environment,
)
from engine.demo import DEMO_PASSWORD, DEPARTMENT_STAFF

COMPLETIONS = ("complete (review)", "complete (window)")
KINDS = ("me", "board summary", "inbox", "create application", "claim", *COMPLETIONS, "case record")
FLOOR_ROWS = 100


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-int(share * 1000) * len(ordered) // 1000) - 1)]


def statuses(samples: list[Sample]) -> str:
    counts = {}
    for sample in samples:
        if not 200 <= sample.status < 300:
            counts[sample.status] = counts.get(sample.status, 0) + 1
    return " ".join(f"{status or 'none'}×{count}" for status, count in sorted(counts.items())) or "-"


# -- the mixed load ------------------------------------------------------------------------

def people_at_work(base: str, people, items: dict, record: Record, board_pause: float) -> list:
    serials = itertools.count(1)
    clients = [(person, Client(base, person.token, record)) for person in people]
    return [Clerk(client, items, serials) if person.kind == "clerk"
            else Approver(client, person.staff_id) if person.kind == "approver"
            else Supervisor(client, board_pause) for person, client in clients]


class Meter:
    """CPU of the server's processes, the run database's backends and this process, with the time."""

    def __init__(self, server_pid: int | None, admin_url: str, database: str | None):
        self.server_pid, self.admin_url, self.database = server_pid, admin_url, database

    def backends(self) -> list[int]:
        if self.database is None:
            return []
        admin = create_engine(self.admin_url)
        try:
            with admin.connect() as connection:
                return list(connection.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                                               {"name": self.database}))
        finally:
            admin.dispose()

    def read(self) -> dict:
        server = cpu_seconds(process_tree(self.server_pid)) if self.server_pid else {}
        return {"server": server, "database": cpu_seconds(self.backends()), "client": time.process_time(),
                "at": time.monotonic()}


def mixed_load(people, meter: Meter, duration: float, warmup: float) -> tuple[dict, dict]:
    stop = threading.Event()
    threads = [threading.Thread(target=person.run, args=(stop,), daemon=True) for person in people]
    for thread in threads:
        thread.start()
    time.sleep(warmup)  # a backlog forms, connections and caches warm
    before = meter.read()
    time.sleep(duration)
    after = meter.read()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return before, after


def print_load(record: Record, before: dict, after: dict, measured: bool) -> int:
    """The figures of the measured window; returns the number of 5xx and unanswered requests."""
    samples = [sample for sample in record.samples if before["at"] <= sample.at <= after["at"]]
    seconds = after["at"] - before["at"]
    print(f"\n{'kind':20} {'n':>7} {'ok':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors by status")
    for kind in [*KINDS, "all requests"]:
        chosen = samples if kind == "all requests" else [sample for sample in samples if sample.kind == kind]
        if not chosen:
            continue
        ms = [sample.ms for sample in chosen]
        ok = sum(200 <= sample.status < 300 for sample in chosen)
        print(f"{kind:20} {len(chosen):>7} {ok:>7} {nearest_rank(ms, .50):>8.1f} {nearest_rank(ms, .95):>8.1f}"
              f" {nearest_rank(ms, .99):>8.1f}  {statuses(chosen)}")
    completions = sum(sample.kind in COMPLETIONS and sample.status == 200 for sample in samples)
    created = sum(sample.kind == "create application" and sample.status == 201 for sample in samples)
    print(f"\nover {seconds:.1f} s: requests/s {len(samples) / seconds:.1f}; ok task completions/s "
          f"{completions / seconds:.1f}; applications registered/s {created / seconds:.1f}")
    server = cpu_spent(before["server"], after["server"]) * 1000
    database = cpu_spent(before["database"], after["database"]) * 1000
    client = (after["client"] - before["client"]) * 1000
    per = max(1, len(samples)), max(1, completions)
    if measured:
        print(f"server CPU (gunicorn workers): {server / per[0]:.1f} ms per request, {server / per[1]:.1f} ms per "
              f"completion ({server / seconds / 10:.0f}% of one core)")
    else:
        print("server CPU (gunicorn workers): not measured (a server given by --url)")
    if before["database"] or after["database"]:
        print(f"PostgreSQL backends of the run's database: {database / per[0]:.1f} ms per request, "
              f"{database / per[1]:.1f} ms per completion ({database / seconds / 10:.0f}% of one core)")
    print(f"load generator CPU: {client / per[0]:.2f} ms per request ({client / seconds / 10:.0f}% of one core)")
    return sum(sample.status >= 500 or sample.status == 0 for sample in samples)


# -- one request at a time ---------------------------------------------------------------------

def prepare_pgbench(url: str, scratch: Path) -> tuple[str, Path]:
    """A one-UPDATE pgbench script on a small table of the run's database, and libpq's address."""
    database = create_engine(url)
    with database.begin() as connection:
        connection.execute(text("CREATE TABLE bench_floor (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0)"))
        connection.execute(text(f"INSERT INTO bench_floor (id) SELECT generate_series(1, {FLOOR_ROWS})"))
    database.dispose()
    script = scratch / "floor.sql"
    script.write_text(f"\\set id random(1, {FLOOR_ROWS})\nUPDATE bench_floor SET n = n + 1 WHERE id = :id;\n")
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False), script


def pgbench_ms(dsn: str, script: Path, transactions: int) -> float:
    run = subprocess.run(["pgbench", "-n", "-c", "1", "-t", str(transactions), "-f", str(script), dsn],
                         capture_output=True, text=True, check=True)
    return float(re.search(r"latency average = ([\d.]+) ms", run.stdout).group(1))


def one_round(base: str, floor: requests.Session, floor_base: str, pgbench: tuple, by_kind: dict, items: dict,
              repeat: int) -> tuple[Record, float]:
    """The floor app ``repeat`` times, pgbench, then each kind ``repeat`` times, one request at a time."""
    record = Record()
    for _ in range(repeat):
        started = time.perf_counter()
        floor.get(f"{floor_base}/").raise_for_status()
        record.add(Sample("floor", 200, (time.perf_counter() - started) * 1000, time.monotonic()))
    database_ms = pgbench_ms(*pgbench, transactions=200)
    clerk, approver, supervisor = (Client(base, by_kind[kind].token, record)
                                   for kind in ("clerk", "approver", "supervisor"))
    item = next(code for code, found in items.items() if found["department"] == by_kind["approver"].department_code)
    desk = Clerk(clerk, items, itertools.count(10**6))
    for _ in range(repeat):
        clerk.call("me", "GET", "/auth/me")
        supervisor.call("board summary", "GET", "/board/summary")
        approver.call("inbox", "GET", "/tasks")
    cases = [desk.register(item) for _ in range(repeat)]
    reviews = [task["id"] for case in cases if case for task in case["open_tasks"]]
    for task_id in reviews:
        approver.call("claim", "POST", f"/tasks/{task_id}/claim")
    for task_id in reviews:
        approver.call("complete (review)", "POST", f"/tasks/{task_id}/complete", DECISION)
    for case in filter(None, cases):
        found = clerk.call("case record", "GET", f"/cases/{case['number']}")
        for task in found.json()["open_tasks"] if found else []:
            desk.window_step({"id": task["id"], "form": "pickup.schema.json", "case_number": case["number"]})
    return record, database_ms


def sequential(base: str, floor_base: str, by_kind: dict, items: dict, pgbench: tuple, rounds: int,
               repeat: int) -> int:
    """The single-request table; returns the number of 5xx and unanswered requests."""
    per_kind, failures = {}, 0
    floor = requests.Session()
    for _ in range(rounds):
        record, database_ms = one_round(base, floor, floor_base, pgbench, by_kind, items, repeat)
        per_kind.setdefault("pgbench write", []).append(database_ms)
        failures += sum(sample.status >= 500 or sample.status == 0 for sample in record.samples)
        for kind in {sample.kind for sample in record.samples}:
            ok = [sample.ms for sample in record.samples if sample.kind == kind and sample.status < 400]
            if ok:
                per_kind.setdefault(kind, []).append(statistics.median(ok))
    floor_ms = statistics.median(per_kind["floor"])
    print(f"\nOne request at a time on the quiet server, interleaved: median of {rounds} rounds "
          f"(each the median of {repeat}; pgbench: the average of 200 transactions)")
    print(f"{'kind':24} {'ms':>8} {'min':>8} {'max':>8} {'× Flask floor':>14}")
    for kind in ["floor", "pgbench write", *KINDS]:
        if kind in per_kind:
            values = per_kind[kind]
            label = {"floor": "trivial Flask (floor)"}.get(kind, kind)
            print(f"{label:24} {statistics.median(values):>8.2f} {min(values):>8.2f} {max(values):>8.2f}"
                  f" {statistics.median(values) / floor_ms:>14.1f}")
    return failures


# -- the run -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20, help="measured seconds of mixed load")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before measuring")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread workers)")
    parser.add_argument("--url", help="a running server (its demo accounts) instead of starting one")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="the demo accounts' password (with --url)")
    parser.add_argument("--postgres", default=os.environ.get("ONEWINDOW_BENCH_PG", PG_DEFAULT))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--board-pause", type=float, default=0.5, help="seconds a supervisor waits between reads")
    parser.add_argument("--history-days", type=int, default=0,
                        help="first simulate this many days of the center (its cases in every state) before the load")
    parser.add_argument("--history-cases-per-day", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of single requests")
    parser.add_argument("--repeat", type=int, default=5, help="requests of each kind per round")
    options = parser.parse_args(argv)
    problem = postgres_problem(options.postgres)
    if problem:
        print(problem)
        return 1
    logs, started = [], time.monotonic()
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.callback(_print_log_errors, logs)  # after the servers have stopped
        url = stack.enter_context(scratch_database(options.postgres, "onewindow_http"))
        base, server_pid, people, password = _server(options, stack, url, logs, scratch)
        logs.append(scratch / "floor.log")
        floor_base, _floor = stack.enter_context(gunicorn("bench.floor_app:app", options.workers, dict(os.environ),
                                                          logs[-1], ready_path="/", threads=options.threads))
        sign_in_all(base, people, password)
        items = workload_items(base, people[0].token)
        record = Record()
        server_text = base if options.url else (f"gunicorn -w {options.workers} --threads {options.threads}, production configuration, PostgreSQL "
                                                f"holding {_cases_in(url)} cases")
        print(f"{options.users} users ({_head_counts(people)}) on {server_text}; {options.duration:g} s measured "
              f"after {options.warmup:g} s (ready after {time.monotonic() - started:.0f} s: database, accounts, "
              "servers, sign-ins)")
        before, after = mixed_load(people_at_work(base, people, items, record, options.board_pause),
                                   Meter(server_pid, options.postgres, None if options.url else make_url(url).database),
                                   options.duration, options.warmup)
        failures = print_load(record, before, after, server_pid is not None)
        by_kind = {kind: next(person for person in people if person.kind == kind)
                   for kind in ("clerk", "approver", "supervisor")}
        failures += sequential(base, floor_base, by_kind, items, prepare_pgbench(url, scratch), options.rounds,
                               options.repeat)
        print(f"\n5xx or unanswered requests: {failures}")
    return 1 if failures else 0


def _server(options, stack: contextlib.ExitStack, url: str, logs: list, scratch: Path) -> tuple:
    """(base URL, gunicorn's pid or None, the people, their password): the server given by
    ``--url`` with its demo accounts, or gunicorn started on ``url`` with accounts of the run's own."""
    if options.url:
        people = shared_demo_people(options.users, deciding(sorted(DEPARTMENT_STAFF)))
        return options.url.rstrip("/"), None, people, options.password
    if options.history_days:
        first_day = date.today() - timedelta(days=options.history_days)
        onewindow({**os.environ, "ONEWINDOW_DATABASE_URL": url}, "simulate", "--days", str(options.history_days),
                  "--cases-per-day", str(options.history_cases_per_day), "--start", first_day.isoformat(),
                  "--database", url)
    people, password = prepare_center(url, options.users)
    logs.append(scratch / "gunicorn.log")
    base, server = stack.enter_context(gunicorn("web:create_app()", options.workers,
                                                production_environment(url, options.redis, "load"), logs[-1],
                                                threads=options.threads))
    return base, server.pid, people, password


def _cases_in(url: str) -> int:
    database = create_engine(url)
    try:
        with database.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM service_case")).scalar_one()
    finally:
        database.dispose()


def _head_counts(people) -> str:
    counts = {}
    for person in people:
        counts[person.kind] = counts.get(person.kind, 0) + 1
    return ", ".join(f"{n} {kind}{'s' * (n != 1)}" for kind, n in counts.items())


def _print_log_errors(logs: list[Path]) -> None:
    for log in logs:
        errors = log_errors(log) if log.exists() else []
        print(f"{log.name}: {len(errors)} error lines")
        for line in errors[:20]:
            print("  ", line)


if __name__ == "__main__":
    sys.exit(main())
