"""Registrations at once: how many a center's windows register per second when several processes
(gunicorn workers, each its own CaseEngine) register on the same day, on PostgreSQL.

    python -m bench.registrations [--processes 1 2 4 8] [--cases 160] [--rounds 3] [--postgres URL]

Every registration takes the day's counter row (numbers are gap-free, docs/rules.md) and holds its
lock to the commit, so registrations queue behind each other there. For each process count the
same number of cases is registered (split between the processes, released together); the
rounds interleave the counts. Prints registrations/s per count (median over the rounds) and the
ratio to one process: above 1 the processes overlap, 1 or below they queue. Asserts nothing.
"""

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import PG_DEFAULT, postgres_problem, scratch_database  # noqa: E402
from bench.lifecycle import APPLICANT, ITEM, START, lifecycle_forms, prepare  # noqa: E402


def _register(url: str, cases: int, start, done) -> None:
    from engine.catalogue.models import ServiceItem
    from engine.clock import SimulatedClock
    from engine.runtime import CaseEngine
    from engine.staff.service import get_actor

    engine = CaseEngine(url, clock=SimulatedClock(START))
    with engine.session() as session:
        clerk = get_actor(session, "clerk1")
        materials = [m.code for m in session.get(ServiceItem, ITEM).materials if m.mandatory]
    intake = {**lifecycle_forms(materials)[0][1], "received_materials": materials}
    engine.create_case(clerk, ITEM, APPLICANT, intake)  # warm: the spec, the pool, the calendar
    start.wait()
    for _ in range(cases):
        engine.create_case(clerk, ITEM, APPLICANT, intake)
    done.put(True)
    engine.db.dispose()


def registrations_per_second(url: str, processes: int, cases: int) -> float:
    start, done = multiprocessing.Barrier(processes + 1), multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_register, args=(url, cases // processes, start, done))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for _ in workers:
        done.get()
    seconds = time.perf_counter() - began
    for worker in workers:
        worker.join()
    return processes * (cases // processes) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--cases", type=int, default=160)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=PG_DEFAULT, help="admin URL of the PostgreSQL to make a scratch database on")
    options = parser.parse_args()
    problem = postgres_problem(options.postgres)
    if problem:
        sys.exit(problem)
    with scratch_database(options.postgres, "registrations") as url:
        engine, _actors = prepare(url)
        engine.db.dispose()
        figures = {count: [] for count in options.processes}
        for _ in range(options.rounds):
            for count in options.processes:
                figures[count].append(registrations_per_second(url, count, options.cases))
    one = statistics.median(figures[options.processes[0]])
    print(f"{options.cases} registrations per run, {options.rounds} rounds interleaved, PostgreSQL, one day's counter")
    print(f"{'processes':>9} {'registrations/s':>16} {'min':>7} {'max':>7} {'x first':>8}")
    for count, values in figures.items():
        print(f"{count:>9} {statistics.median(values):>16.1f} {min(values):>7.1f} {max(values):>7.1f} "
              f"{statistics.median(values) / one:>8.2f}")


if __name__ == "__main__":
    main()
