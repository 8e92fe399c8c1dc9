"""What one HTTP request costs the server: connections, statements, transactions and CPU, per kind.

    python -m bench.request_path [--rounds 200] [--loops 50] [--postgres URL | --sqlite]

1. The app in-process (Flask's test client) on a scratch database of its own (PostgreSQL through
   bench/databases.py, or a temporary SQLite file), the demo center seeded, two API clients
   signed in with bearer tokens (a clerk, an approver). Each round, interleaved: the clerk
   registers an application, the approver reads the inbox, claims the review, completes it,
   asks who they are, and the clerk reads the decided case (``read``); plus a route that does nothing (the framework floor). Per kind: the
   connections checked out of the pool, the write transactions, the statements sent
   (``before_cursor_execute``) — these are deterministic — and the medians of CPU and wall time.
   On PostgreSQL each checkout also costs a ping (pool_pre_ping) and each write transaction a
   BEGIN and a COMMIT: ``trips`` adds them up.
2. One engine step of a case with 0 and with N correction loops (built with
   bench/lifecycle.py's case), warm (the workflow cached) and cold (loaded from the rows).

Prints its figures; asserts nothing.
"""

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import jsonify  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.databases import PG_DEFAULT, postgres_problem, scratch_database  # noqa: E402
from bench.lifecycle import APPLICANT, ITEM, lifecycle_forms, prepare  # noqa: E402
from engine.demo import DEMO_PASSWORD  # noqa: E402
from engine.settings import EngineSettings  # noqa: E402

KINDS = ("floor", "me", "inbox", "claim", "complete", "create", "read")
REVIEW = {"decision": "approve", "opinion": "符合条件"}


@dataclass
class Counter:
    """What the database was asked since ``reset``: checkouts, write transactions, statements."""

    checkouts: int = 0
    writes: int = 0
    statements: int = 0
    log: list = field(default_factory=list)

    def attach(self, db) -> None:
        event.listen(db.pool, "checkout", lambda *_: self._add("checkouts"))
        event.listen(db, "before_cursor_execute", lambda _c, _cur, statement, *_: self._statement(statement))
        event.listen(db, "begin", lambda connection: connection.get_execution_options().get("onewindow_write")
                     and self._add("writes"))

    def _add(self, name: str) -> None:
        setattr(self, name, getattr(self, name) + 1)

    def _statement(self, statement: str) -> None:
        if statement == "BEGIN" or statement == "BEGIN IMMEDIATE":
            return  # SQLite's own, sent by engine.db where PostgreSQL's driver sends one unseen: both are in ``writes``
        self.statements += 1
        self.log.append(statement.split("\n")[0][:100])

    def reset(self) -> None:
        self.checkouts = self.writes = self.statements = 0
        self.log = []

    def counts(self) -> tuple[int, int, int]:
        return self.checkouts, self.writes, self.statements


@dataclass
class Measured:
    counts: list = field(default_factory=list)
    cpu: list = field(default_factory=list)
    wall: list = field(default_factory=list)


def measure(counter: Counter, results: Measured, call):
    counter.reset()
    cpu, wall = time.process_time(), time.perf_counter()
    answer = call()
    results.cpu.append((time.process_time() - cpu) * 1000)
    results.wall.append((time.perf_counter() - wall) * 1000)
    results.counts.append(counter.counts())
    return answer


def token_headers(client, username: str) -> dict:
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 201 or answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['token']}"}


def requests(url: str, rounds: int, show: bool) -> None:
    from web import create_app

    engine, actors = prepare(url)
    engine.db.dispose()
    app = create_app({"RATELIMIT_ENABLED": False}, settings=EngineSettings(database_url=url), clock=engine.clock)
    app.add_url_rule("/bench-floor", "bench_floor", lambda: jsonify({"ok": True}))
    case_engine = app.extensions["onewindow"]
    counter = Counter()
    counter.attach(case_engine.db)
    client = app.test_client()
    clerk, approver = token_headers(client, "clerk1"), token_headers(client, "scjg_approver1")
    intake = {**lifecycle_forms(actors["materials"])[0][1], "received_materials": actors["materials"]}
    application = {"item_code": ITEM, "applicant": APPLICANT, "intake": intake}
    results = {kind: Measured() for kind in KINDS}
    logs = {}
    for round_ in range(rounds + 5):  # the first five warm the caches and are not counted
        if round_ == 5:
            results = {kind: Measured() for kind in KINDS}
        measure(counter, results["floor"], lambda: client.get("/bench-floor"))
        created = measure(counter, results["create"], lambda: client.post("/api/v1/cases", json=application,
                                                                          headers=clerk))
        assert created.status_code == 201, created.json
        logs["create"] = counter.log
        (task,) = case_engine.open_tasks(created.json["number"])
        inbox = measure(counter, results["inbox"], lambda: client.get("/api/v1/tasks", headers=approver))
        assert inbox.status_code == 200, inbox.json
        logs["inbox"] = counter.log
        claimed = measure(counter, results["claim"],
                          lambda task=task: client.post(f"/api/v1/tasks/{task.id}/claim", headers=approver))
        assert claimed.status_code == 200, claimed.json
        logs["claim"] = counter.log
        done = measure(counter, results["complete"], lambda task=task: client.post(
            f"/api/v1/tasks/{task.id}/complete", json=REVIEW, headers=approver))
        assert done.status_code == 200, done.json
        logs["complete"] = counter.log
        read = measure(counter, results["read"], lambda created=created: client.get(
            f"/api/v1/cases/{created.json['number']}", headers=clerk))
        assert read.status_code == 200, read.json
        logs["read"] = counter.log
        me = measure(counter, results["me"], lambda: client.get("/api/v1/auth/me", headers=approver))
        assert me.status_code == 200, me.json
        logs["me"] = counter.log
    case_engine.db.dispose()
    floor = statistics.median(results["floor"].cpu)
    print(f"\nPer request ({case_engine.db.dialect.name}, {rounds} rounds, interleaved; counts are per request)")
    print(f"{'kind':<10}{'checkouts':>10}{'writes':>8}{'stmts':>7}{'trips':>7}{'cpu ms':>9}{'×floor':>8}{'wall ms':>9}")
    postgres = case_engine.db.dialect.name == "postgresql"
    for kind in KINDS:
        measured = results[kind]
        checkouts, writes, statements = (max(values) for values in zip(*measured.counts, strict=True))
        trips = statements + (checkouts + 2 * writes if postgres else 0)
        cpu = statistics.median(measured.cpu)
        print(f"{kind:<10}{checkouts:>10}{writes:>8}{statements:>7}{trips:>7}{cpu:>9.2f}{cpu / floor:>8.1f}"
              f"{statistics.median(measured.wall):>9.2f}")
    if show:
        for kind, log in logs.items():
            print(f"\n{kind}:\n  " + "\n  ".join(log))


def steps(url: str, loops_list: list[int], samples: int) -> None:
    engine, actors = prepare(url)
    counter = Counter()
    counter.attach(engine.db)
    clerk, materials = actors["clerk1"], actors["materials"]
    partial = {"correction_action": "submit", "received_materials": materials[:-1], "material_defects": []}
    print(f"\nOne step (issue a notice / submit a correction) by correction loops; median of {samples} each")
    print(f"{'loops':>6}{'warm cpu ms':>13}{'cold cpu ms':>13}{'cold/warm':>11}{'warm stmts':>12}{'cold stmts':>12}")
    warm_at = {}
    for loops in loops_list:
        case = engine.create_case(clerk, ITEM, APPLICANT, lifecycle_forms(materials)[0][1])
        for _ in range(loops):
            engine.complete_task(clerk, engine.open_tasks(case.number)[0].id, {})
            engine.complete_task(clerk, engine.open_tasks(case.number)[0].id, partial)
        warm, cold = Measured(), Measured()
        for round_ in range(2 * samples):
            (task,) = engine.open_tasks(case.number)
            form = {} if task.bpmn_id == "issue_notice" else partial
            if round_ % 2:
                engine.workflows.clear()
            measure(counter, cold if round_ % 2 else warm, lambda task=task, form=form: engine.complete_task(clerk, task.id, form))
        w, c = statistics.median(warm.cpu), statistics.median(cold.cpu)
        warm_at[loops] = w
        print(f"{loops:>6}{w:>13.2f}{c:>13.2f}{c / w:>11.2f}{max(s for *_, s in warm.counts):>12}"
              f"{max(s for *_, s in cold.counts):>12}")
    if len(loops_list) > 1:
        first, last = loops_list[0], loops_list[-1]
        print(f"warm step at {last} loops / at {first}: {warm_at[last] / warm_at[first]:.2f}")
    engine.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--loops", type=int, default=50)
    parser.add_argument("--samples", type=int, default=15, help="steps measured per loop count, warm and cold each")
    parser.add_argument("--postgres", default=PG_DEFAULT, help="admin URL of the PostgreSQL to make a scratch database on")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--show", action="store_true", help="print the statements of the last request of each kind")
    parser.add_argument("--only", choices=("requests", "steps"), help="run one part only")
    options = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if options.sqlite:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            urls = (f"sqlite:///{folder}/requests.sqlite", f"sqlite:///{folder}/steps.sqlite")
        else:
            if problem := postgres_problem(options.postgres):
                sys.exit(problem)
            urls = tuple(stack.enter_context(scratch_database(options.postgres, f"bench_path_{part}"))
                         for part in ("requests", "steps"))
        if options.only != "steps":
            requests(urls[0], options.rounds, options.show)
        if options.only != "requests":
            steps(urls[1], [0, options.loops], options.samples)


if __name__ == "__main__":
    main()
