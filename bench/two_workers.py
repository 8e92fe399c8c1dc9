"""Two workers on one database sharing the cases, for bench/engine_throughput.py.

Two processes, each with its own engine (or raw baseline), take random steps on one shared
pool of cases that the parent registered: a worker picks a case, finds its next step and
does it; a step the other worker took first is counted as a conflict and not as a step.
Both start at the same moment; each reports its CPU (its own process) and wall time.
"""

import multiprocessing
import random
import time

from bench.lifecycle import engine_step, prepare, raw_system
from engine.errors import OneWindowError

_WORKER = {}  # per process: the engine (or raw system) built once, reused for every round


def _engine_in_worker(url: str):
    if url not in _WORKER:
        engine, actors = prepare(url, seed=False)
        _WORKER[url] = (engine, actors, raw_system(engine, url))
    return _WORKER[url]


def work(kind: str, url: str, cases: list, steps: int, start_at: float, seed: int) -> dict:
    engine, actors, raw = _engine_in_worker(url)
    chooser, forms, open_cases = random.Random(seed), dict(actors["forms"]), list(cases)
    done, conflicts = 0, {}
    time.sleep(max(0.0, start_at - time.time()))
    cpu, wall = time.process_time(), time.perf_counter()
    while done < steps and open_cases:
        case = chooser.choice(open_cases)
        if kind == "raw":
            if raw.step(case, forms) is None:
                open_cases.remove(case)
            else:
                done += 1
            continue
        tasks = engine.open_tasks(case)
        if not tasks:
            open_cases.remove(case)
            continue
        try:
            engine_step(engine, actors, tasks[0], forms[tasks[0].bpmn_id])
            done += 1
        except OneWindowError as refusal:  # the other worker did this step first (or claimed it)
            conflicts[type(refusal).__name__] = conflicts.get(type(refusal).__name__, 0) + 1
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "steps": done,
            "conflicts": conflicts}


class TwoWorkers:
    """A pool of two spawned processes, kept for all rounds (their caches warm across rounds)."""

    def __init__(self):
        self.pool = multiprocessing.get_context("spawn").Pool(2)

    def run(self, kind: str, url: str, cases: list, steps: int) -> list[dict]:
        start_at = time.time() + 1.0  # both begin together, after their start-up
        return self.pool.starmap(work, [(kind, url, cases, steps, start_at, seed) for seed in (1, 2)])

    def close(self) -> None:
        self.pool.close()
        self.pool.join()
