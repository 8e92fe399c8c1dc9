"""联办件 with N co-reviewing departments, for bench/engine_throughput.py.

Created in the benchmark's own database through the catalogue loader, one approver each: the
full case (intake, a countersign per department, the lead's decision, pickup, rating) and
each countersign with its claim.
"""

import statistics
import time

from sqlalchemy import select

from engine.catalogue.loader import DEMO_CATALOGUE, read_catalogue_file
from engine.catalogue.models import ServiceItem
from engine.runtime import CaseEngine
from engine.staff.models import Staff
from engine.staff.service import create_staff, get_actor

JOINT_TEMPLATE, JOINT_LEAD = "ZRGH-001", "ZRGH"


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
    case = engine.create_case(clerk, item, actors["applicant"], intake)
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
    for name, form in actors["closing"]:
        (task,) = engine.open_tasks(case.number)
        assert task.bpmn_id == name, (task.bpmn_id, name)
        case = engine.complete_task(clerk, task.id, form)
    assert case.outcome == "completed"


def joint_review(engine: CaseEngine, label: str, sizes: list[int], cases: int, applicant: dict, closing: list) -> None:
    """``closing``: the (task, form) steps after the lead's decision (pickup, rating)."""
    items = add_joint_items(engine, sizes)
    with engine.session() as session:
        actors = {staff.username: get_actor(session, staff.username) for staff in session.scalars(
            select(Staff).where(Staff.username.in_(["clerk1", "zrgh_approver1"]) | Staff.username.like("xb%")))}
        actors["applicant"], actors["closing"] = applicant, closing
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
