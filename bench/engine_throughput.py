"""Engine throughput against raw SpiffWorkflow, and the cost of a step with a long history.

    python bench/engine_throughput.py [--cases 200] [--loops 50] [--postgres URL]

1. Full case lifecycles per second through CaseEngine with persistence (SQLite file and
   PostgreSQL), against raw SpiffWorkflow running the same BPMN in memory with a
   serialize/deserialize round-trip (its standard serializer) at every step.
2. One step of a case whose history holds N correction loops, engine against raw
   SpiffWorkflow at the same size, and the rows the engine wrote for it.
3. 联办件 with 5 and with 20 co-reviewing departments (created in the benchmark's own
   database through the catalogue loader, one approver each): the full case (intake, a
   countersign per department, the lead's decision, pickup, rating) and each countersign.

Prints its figures; asserts nothing.
"""

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.databases import PG_DEFAULT, postgres_problem, scratch_database  # noqa: E402
from engine.cases.service import initial_data  # noqa: E402
from engine.catalogue.loader import DEMO_CATALOGUE, read_catalogue_file  # noqa: E402
from engine.catalogue.models import ServiceItem  # noqa: E402
from engine.clock import SimulatedClock, local_datetime  # noqa: E402
from engine.workflow.spiff_fixes import clock_in_effect  # noqa: E402
from engine.demo import seed_demo_center  # noqa: E402
from engine.migrate import upgrade  # noqa: E402
from engine.runtime import CaseEngine  # noqa: E402
from engine.staff.models import Staff  # noqa: E402
from engine.staff.service import create_staff, get_actor  # noqa: E402

ITEM = "SCJG-002"
JOINT_TEMPLATE, JOINT_LEAD = "ZRGH-001", "ZRGH"
APPLICANT = {"kind": "person", "name": "张三", "id_type": "居民身份证", "id_number": "11010519491231002X",
             "phone": "13800138000"}


def lifecycle_forms(materials):
    """The same path for both drivers: incomplete intake, notice, correction, review, pickup, rating."""
    return [
        ("intake", {"received_materials": materials[:-1], "material_defects": [], "acceptable": True,
                    "delivery_method": "pickup"}),
        ("issue_notice", {"notice_remarks": "请补齐"}),
        ("await_correction", {"correction_action": "submit", "received_materials": materials, "material_defects": []}),
        ("review", {"decision": "approve", "opinion": "符合条件"}),
        ("window_pickup", {"recipient_role": "委托代理人", "recipient_name": "张三", "recipient_id_type": "居民身份证",
                           "recipient_id_number": "11010519491231002X", "authorization_checked": True,
                           "id_checked": True}),
        ("rating", {"rating": "满意"}),
    ]


def prepare(url: str) -> tuple[CaseEngine, dict]:
    upgrade(url)
    engine = CaseEngine(url, clock=SimulatedClock(local_datetime(date(2026, 11, 23), 9)))
    seed_demo_center(engine)
    with engine.session() as session:
        actors = {name: get_actor(session, name) for name in ("clerk1", "scjg_approver1")}
        item = session.get(ServiceItem, ITEM)
        actors["materials"] = [m.code for m in item.materials if m.mandatory]
    return engine, actors


def engine_case(engine: CaseEngine, actors) -> None:
    forms = lifecycle_forms(actors["materials"])
    case = engine.create_case(actors["clerk1"], ITEM, APPLICANT, forms[0][1])
    for name, form in forms[1:]:
        (task,) = engine.open_tasks(case.number)
        assert task.bpmn_id == name, (task.bpmn_id, name)
        actor = actors["scjg_approver1"] if name == "review" else actors["clerk1"]
        if name == "review":
            engine.claim_task(actor, task.id)
        case = engine.complete_task(actor, task.id, form)
    assert case.outcome == "completed"


class RawSpiff:
    """The same BPMN on plain SpiffWorkflow: deserialize, act, serialize at every step."""

    def __init__(self, engine: CaseEngine, actors):
        with engine.session() as session:
            from engine.workflow.versions import latest_version
            definition = engine.specs.get(session, latest_version(session, "one_window").id)
            self.data = initial_data(session.get(ServiceItem, ITEM), date(2026, 11, 23))
        self.definition, self.engine = definition, engine
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.forms = lifecycle_forms(actors["materials"])

    def start(self) -> str:
        workflow = BpmnWorkflow(self.definition.spec, self.definition.subprocess_specs,
                                script_engine=self.engine.script_engine)
        workflow.task_tree.data = dict(self.data)
        workflow.do_engine_steps()
        return self.serializer.serialize_json(workflow)

    def step(self, blob: str, name: str, form: dict) -> str:
        workflow = self.serializer.deserialize_json(blob)
        workflow.script_engine = self.engine.script_engine
        (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
        assert task.task_spec.name == name, (task.task_spec.name, name)
        task.set_data(**form)
        task.run()
        workflow.do_engine_steps()
        return self.serializer.serialize_json(workflow)

    def case(self) -> None:
        with clock_in_effect(self.engine.clock):
            blob = self.start()
            for name, form in self.forms:
                blob = self.step(blob, name, form)
        assert self.serializer.deserialize_json(blob).is_completed()


def per_case_ms(function, count: int) -> float:
    for _ in range(5):
        function()  # warm caches and connections
    started = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - started) * 1000 / count


def long_history(engine: CaseEngine, raw: RawSpiff, actors, loops_list) -> None:
    clerk, materials = actors["clerk1"], actors["materials"]
    partial = {"correction_action": "submit", "received_materials": materials[:-1], "material_defects": []}
    print("\nOne step of a case with a long history (a notice issued; median of 15)")
    print(f"{'loops':>6} {'tasks':>6} {'engine warm ms':>15} {'engine cold ms':>15} {'rows written':>13}"
          f" {'raw Spiff ms':>13} {'warm/raw':>9}")
    for loops in loops_list:
        case = engine.create_case(clerk, ITEM, APPLICANT, lifecycle_forms(materials)[0][1])
        with clock_in_effect(engine.clock):
            blob = raw.start()
            blob = raw.step(blob, "intake", lifecycle_forms(materials)[0][1])
        for _ in range(loops):
            engine.complete_task(clerk, engine.open_tasks(case.number)[0].id, {})
            engine.complete_task(clerk, engine.open_tasks(case.number)[0].id, partial)
            with clock_in_effect(engine.clock):
                blob = raw.step(raw.step(blob, "issue_notice", {}), "await_correction", partial)
        warm, cold, raw_times, writes = [], [], [], []
        save = engine.store.save

        def counting(*args, save=save, writes=writes, **kwargs):
            result = save(*args, **kwargs)
            writes.append(result.inserted + result.updated + result.deleted)
            return result
        engine.store.save = counting
        for round_ in range(30):
            (task,) = engine.open_tasks(case.number)
            form = {} if task.bpmn_id == "issue_notice" else partial
            if round_ % 2:
                engine.workflows.clear()
            started = time.perf_counter()
            engine.complete_task(clerk, task.id, form)
            (cold if round_ % 2 else warm).append((time.perf_counter() - started) * 1000)
            with clock_in_effect(engine.clock):
                name = "issue_notice" if task.bpmn_id == "issue_notice" else "await_correction"
                started = time.perf_counter()
                blob = raw.step(blob, name, form)
                raw_times.append((time.perf_counter() - started) * 1000)
        engine.store.save = save
        tasks = len(raw.serializer.deserialize_json(blob).tasks)
        w, c, r = statistics.median(warm), statistics.median(cold), statistics.median(raw_times)
        print(f"{loops:>6} {tasks:>6} {w:>15.2f} {c:>15.2f} {statistics.median(writes):>13.0f} {r:>13.2f} {w / r:>9.2f}")


def add_joint_items(engine: CaseEngine, sizes: list[int]) -> dict[int, str]:
    """A 联办件 per size with that many co-reviewing departments, each with one approver."""
    raw = read_catalogue_file(DEMO_CATALOGUE)
    codes = [f"XB{chr(ord('A') + n // 26)}{chr(ord('A') + n % 26)}" for n in range(max(sizes))]
    raw["departments"] += [{"code": code, "name": f"基准测试协办部门{code}", "short_name": f"协办{code}"}
                           for code in codes]
    template = next(item for item in raw["items"] if item["code"] == JOINT_TEMPLATE)
    items = {size: f"BENCH-J{size:03d}" for size in sizes}
    raw["items"] += [dict(template, code=code, name=f"基准联办件（{size}个协办部门）", co_departments=codes[:size])
                     for size, code in items.items()]
    engine.load_catalogue(raw)
    with engine.transaction() as session:
        existing = set(session.scalars(select(Staff.username)))
        for code in codes:
            if f"{code.lower()}_approver1" not in existing:
                create_staff(session, username=f"{code.lower()}_approver1", name=f"协办审批员{code}", role="approver",
                             department_code=code, now=engine.clock.now())
    return items


def joint_case(engine: CaseEngine, actors, item: str, countersigns: list, claims: list) -> None:
    clerk = actors["clerk1"]
    intake = {"received_materials": actors["joint_materials"], "material_defects": [], "acceptable": True,
              "delivery_method": "pickup"}
    case = engine.create_case(clerk, item, APPLICANT, intake)
    for task in engine.open_tasks(case.number):
        assert task.bpmn_id == "joint_countersign", task.bpmn_id
        approver = actors[f"{task.department_code.lower()}_approver1"]
        started = time.perf_counter()
        engine.claim_task(approver, task.id)
        claimed = time.perf_counter()
        engine.complete_task(approver, task.id, {"countersign_position": "agree", "countersign_opinion": "同意"})
        claims.append((claimed - started) * 1000)
        countersigns.append((time.perf_counter() - claimed) * 1000)
    (lead,) = engine.open_tasks(case.number)
    assert lead.bpmn_id == "lead_decision", lead.bpmn_id
    engine.claim_task(actors["zrgh_approver1"], lead.id)
    engine.complete_task(actors["zrgh_approver1"], lead.id, {"decision": "approve", "opinion": "采纳各部门意见"})
    for name, form in lifecycle_forms(actors["materials"])[-2:]:
        (task,) = engine.open_tasks(case.number)
        assert task.bpmn_id == name, (task.bpmn_id, name)
        case = engine.complete_task(clerk, task.id, form)
    assert case.outcome == "completed"


def joint_review(engine: CaseEngine, label: str, sizes: list[int], cases: int) -> None:
    items = add_joint_items(engine, sizes)
    with engine.session() as session:
        actors = {staff.username: get_actor(session, staff.username) for staff in session.scalars(
            select(Staff).where(Staff.username.in_(["clerk1", "zrgh_approver1"]) | Staff.username.like("xb%")))}
        actors["materials"] = [m.code for m in session.get(ServiceItem, ITEM).materials if m.mandatory]
        actors["joint_materials"] = [m.code for m in session.get(ServiceItem, JOINT_TEMPLATE).materials
                                     if m.mandatory]
    print(f"\n联办件 on {label}: lead {JOINT_LEAD} + N co-reviewing departments, {cases} cases each"
          " (countersign: one department's complete step, after its claim)")
    print(f"{'co-depts':>9} {'engine ms/case':>15} {'cases/s':>8} {'countersign ms median':>21} {'p95':>7}"
          f" {'max':>7} {'claim ms median':>16}")
    for size, item in items.items():
        countersigns, claims = [], []
        for _ in range(2):
            joint_case(engine, actors, item, [], [])  # warm caches and connections
        started = time.perf_counter()
        for _ in range(cases):
            joint_case(engine, actors, item, countersigns, claims)
        per_case = (time.perf_counter() - started) * 1000 / cases
        p95 = statistics.quantiles(countersigns, n=20, method="inclusive")[-1]
        print(f"{size:>9} {per_case:>15.2f} {1000 / per_case:>8.1f} {statistics.median(countersigns):>21.2f}"
              f" {p95:>7.2f} {max(countersigns):>7.2f} {statistics.median(claims):>16.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200)
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
        print(f"Full lifecycle (create+intake, notice, correction, claim, review, pickup, rating), {args.cases} cases")
        print(f"{'target':>14} {'engine ms/case':>15} {'cases/s':>8} {'raw Spiff ms/case':>18} {'ratio':>6}")
        for label, url in targets.items():
            engine, actors = prepare(url)
            try:
                raw = RawSpiff(engine, actors)
                engine_ms = per_case_ms(partial(engine_case, engine, actors), args.cases)
                raw_ms = per_case_ms(raw.case, args.cases)
                print(f"{label:>14} {engine_ms:>15.2f} {1000 / engine_ms:>8.1f} {raw_ms:>18.2f}"
                      f" {engine_ms / raw_ms:>6.2f}")
                long_history(engine, raw, actors, args.loops)
                joint_review(engine, label, args.joint_sizes, args.joint_cases)
            finally:
                engine.db.dispose()


if __name__ == "__main__":
    main()
