"""The engine against a minimal persistent system on raw SpiffWorkflow, and a step's cost with a
long history.

    python bench/engine_throughput.py [--rounds 5] [--cases 40] [--loops 0 10 25 50] [--postgres URL]

The baseline (bench/raw_workflow.py) is what any system keeping cases in a database must pay
at each step: the spec parsed once and cached, the workflow's state only written to one row
locked for the step, on the same database. Each variant runs engine and baseline in turn in
every round (interleaved, so that a noisy neighbour hits both), ``--rounds`` rounds; the
figures are medians over the rounds, as CPU (this process; on PostgreSQL also its backends',
read from /proc) and wall time:

1. Full case lifecycles (intake, notice, correction, claim and review, pickup, rating):
   warm (the engine's workflow cache holds the case) and cold (the cache emptied before
   every step, so every step loads the workflow from the database).
2. Two workers: two processes, each with its own engine (or baseline), taking random steps
   on one shared pool of cases.
3. One step of a case whose history holds N correction loops, warm and cold, and the rows
   the engine wrote for it.
4. 联办件 with 5 and 20 co-reviewing departments (bench/joint_throughput.py).

Prints its figures; asserts nothing.
"""

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.databases import PG_DEFAULT, postgres_problem, scratch_database  # noqa: E402
from bench.joint_throughput import joint_review  # noqa: E402
from bench.lifecycle import APPLICANT, ITEM, engine_case, prepare, raw_case, raw_system  # noqa: E402
from bench.serving import cpu_seconds  # noqa: E402
from bench.two_workers import TwoWorkers  # noqa: E402


class Backends:
    """The CPU PostgreSQL's backends of one database have used (none on SQLite: it runs in-process)."""

    def __init__(self, url: str, admin_url: str):
        self.database = make_url(url).database if url.startswith("postgresql") else None
        self.admin = create_engine(admin_url) if self.database else None

    def seconds(self) -> float:
        if self.admin is None:
            return 0.0
        with self.admin.connect() as connection:
            pids = connection.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                                      {"name": self.database}).all()
        return sum(cpu_seconds(pids).values())


def measured(function, count: int, backends: Backends) -> dict:
    """ms per call of ``function``: wall, this process's CPU, the database backends' CPU."""
    database, cpu, wall = backends.seconds(), time.process_time(), time.perf_counter()
    for _ in range(count):
        function()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall * 1000 / count, "cpu": cpu * 1000 / count,
            "db": (backends.seconds() - database) * 1000 / count}


def medians(rounds: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}


def print_pair(label: str, engine: list[dict], raw: list[dict], unit: str) -> None:
    """Engine and baseline medians, and the median of the per-round ratios (CPU counts both processes)."""
    e, r = medians(engine), medians(raw)
    cpu_ratio = statistics.median((a["cpu"] + a["db"]) / (b["cpu"] + b["db"]) for a, b in zip(engine, raw, strict=True))
    wall_ratio = statistics.median(a["wall"] / b["wall"] for a, b in zip(engine, raw, strict=True))
    print(f"{label:42} {e['wall']:>9.2f} {e['cpu'] + e['db']:>9.2f} {r['wall']:>9.2f} {r['cpu'] + r['db']:>9.2f}"
          f" {wall_ratio:>7.2f} {cpu_ratio:>7.2f}   ({unit}; db CPU engine {e['db']:.2f}, raw {r['db']:.2f})")


def lifecycles(engine, actors, raw, backends: Backends, rounds: int, cases: int) -> None:
    assert raw.completed(raw_case(raw, actors))
    variants = {"warm (workflow cache hit)": None, "cold (cache emptied every step)": engine.workflows.clear}
    results = {label: ([], []) for label in variants}
    for _ in range(rounds):
        for label, before_step in variants.items():
            engine_side, raw_side = results[label]
            engine_side.append(measured(partial(engine_case, engine, actors, before_step), cases, backends))
            raw_side.append(measured(partial(raw_case, raw, actors), cases, backends))
    for label, (engine_side, raw_side) in results.items():
        print_pair(f"lifecycle, {label}", engine_side, raw_side, "ms per case")


def two_workers(engine, actors, raw, workers: TwoWorkers, url: str, backends: Backends, rounds: int,
                steps: int) -> None:
    """Both systems on a pool of cases past their intake; two processes take random steps."""
    pool_size = max(4, steps * 2 * 2 // 5)  # five steps a case after intake: the pool is never used up
    intake = actors["forms"][0]
    engine_side, raw_side, conflicts = [], [], {}
    for round_ in range(rounds + 1):  # round 0 warms the workers (their import, spec and connections)
        numbers = [engine.create_case(actors["clerk1"], ITEM, APPLICANT, intake[1]).number for _ in range(pool_size)]
        raw_ids = []
        for _ in range(pool_size):
            raw_ids.append(raw.start())
            raw.step(raw_ids[-1], dict(actors["forms"]), expected=intake[0])
        for kind, cases, side in (("engine", numbers, engine_side), ("raw", raw_ids, raw_side)):
            database = backends.seconds()
            results = workers.run(kind, url, cases, steps if round_ else 5)
            done = sum(result["steps"] for result in results)
            if round_:
                side.append({"wall": max(result["wall"] for result in results) * 1000 / done,
                             "cpu": sum(result["cpu"] for result in results) * 1000 / done,
                             "db": (backends.seconds() - database) * 1000 / done})
                for result in results:
                    for name, count in result["conflicts"].items():
                        conflicts[name] = conflicts.get(name, 0) + count
    print_pair("two workers, random steps, shared", engine_side, raw_side,
               f"ms per step; wall per step of the pair; refused as taken by the other worker: "
               f"{', '.join(f'{name} ×{count}' for name, count in conflicts.items()) or 'none'} in {rounds} rounds")


def long_history(engine, raw, actors, loops_list) -> None:
    clerk, forms = actors["clerk1"], dict(actors["forms"])
    partial_form = {**forms["await_correction"], "received_materials": actors["materials"][:-1]}
    raw_forms = {**forms, "await_correction": partial_form, "issue_notice": {}}
    print("\nOne step of a case with a long history (a notice issued or a correction; median of 15 each)")
    print(f"{'loops':>6} {'tasks':>6} {'engine warm ms':>15} {'engine cold ms':>15} {'rows written':>13}"
          f" {'raw ms':>8} {'raw state KB':>13} {'warm/raw':>9} {'cold/warm':>10}")
    for loops in loops_list:
        case = engine.create_case(clerk, ITEM, APPLICANT, forms["intake"])
        raw_id = raw.start()
        raw.step(raw_id, forms, expected="intake")
        for _ in range(loops):
            engine.complete_task(clerk, engine.open_tasks(case.number)[0].id, {})
            engine.complete_task(clerk, engine.open_tasks(case.number)[0].id, partial_form)
            raw.step(raw_id, raw_forms)
            raw.step(raw_id, raw_forms)
        warm, cold, raw_times, writes = [], [], [], []
        save = engine.store.save

        def counting(*args, save=save, writes=writes, **kwargs):
            result = save(*args, **kwargs)
            writes.append(result.inserted + result.updated + result.deleted)
            return result
        engine.store.save = counting
        for round_ in range(30):
            (task,) = engine.open_tasks(case.number)
            form = {} if task.bpmn_id == "issue_notice" else partial_form
            if round_ % 2:
                engine.workflows.clear()
            started = time.perf_counter()
            engine.complete_task(clerk, task.id, form)
            (cold if round_ % 2 else warm).append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            raw.step(raw_id, raw_forms, expected=task.bpmn_id)
            raw_times.append((time.perf_counter() - started) * 1000)
        engine.store.save = save
        w, c, r = statistics.median(warm), statistics.median(cold), statistics.median(raw_times)
        print(f"{loops:>6} {raw.tasks(raw_id):>6} {w:>15.2f} {c:>15.2f} {statistics.median(writes):>13.0f}"
              f" {r:>8.2f} {raw.state_bytes / 1024:>13.1f} {w / r:>9.2f} {c / w:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (the figures are their medians)")
    parser.add_argument("--cases", type=int, default=40, help="cases per system, variant and round")
    parser.add_argument("--steps", type=int, default=60, help="steps per worker and round (two workers)")
    parser.add_argument("--loops", type=int, nargs="+", default=[0, 10, 25, 50])
    parser.add_argument("--joint-sizes", type=int, nargs="+", default=[5, 20])
    parser.add_argument("--joint-cases", type=int, default=30)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    args = parser.parse_args()
    with contextlib.ExitStack() as scratch:
        targets = {"SQLite file": f"sqlite:///{Path(scratch.enter_context(tempfile.TemporaryDirectory())) / 'bench.sqlite'}"}
        problem = postgres_problem(args.postgres)
        if problem:
            print(f"{problem}; skipping it")
        else:
            targets["PostgreSQL"] = scratch.enter_context(scratch_database(args.postgres, "onewindow_bench"))
        workers = TwoWorkers()
        scratch.callback(workers.close)
        for label, url in targets.items():
            engine, actors = prepare(url)
            raw, backends = raw_system(engine, url), Backends(url, args.postgres)
            try:
                print(f"\n{label}: engine against the persistent raw baseline, median of {args.rounds} interleaved "
                      f"rounds ({args.cases} cases or {args.steps} steps per worker each)")
                print(f"{'':42} {'engine':>19} {'raw baseline':>19} {'engine/raw':>15}")
                print(f"{'':42} {'wall ms':>9} {'CPU ms':>9} {'wall ms':>9} {'CPU ms':>9} {'wall':>7} {'CPU':>7}")
                lifecycles(engine, actors, raw, backends, args.rounds, args.cases)
                two_workers(engine, actors, raw, workers, url, backends, args.rounds, args.steps)
                long_history(engine, raw, actors, args.loops)
                joint_review(engine, label, args.joint_sizes, args.joint_cases, APPLICANT, actors["forms"][-2:])
            finally:
                raw.dispose()
                engine.db.dispose()


if __name__ == "__main__":
    main()
