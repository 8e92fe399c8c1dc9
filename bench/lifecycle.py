"""One case's path through the demo's 承诺件, driven through the engine and through the raw
baseline (bench/raw_workflow.py) on the same database, for the engine benchmarks.

The path: an incomplete intake, the one-time notice, the correction, the claim and review,
the pickup and the rating.
"""

from datetime import date

from bench.raw_workflow import RawSystem
from engine.cases.service import initial_data
from engine.catalogue.models import ServiceItem
from engine.clock import SimulatedClock, local_datetime
from engine.demo import seed_demo_center
from engine.migrate import upgrade
from engine.runtime import CaseEngine
from engine.staff.service import get_actor
from engine.workflow.versions import latest_version

ITEM = "SCJG-002"
APPLICANT = {"kind": "person", "name": "张三", "id_type": "居民身份证", "id_number": "11010519491231002X",
             "phone": "13800138000"}
START = local_datetime(date(2026, 11, 23), 9)
# The steps an approver does; the window's clerk does the others.
APPROVER_STEPS = ("review",)


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


def prepare(url: str, *, seed: bool = True) -> tuple[CaseEngine, dict]:
    """An engine on ``url`` (migrated and seeded unless ``seed`` is False) and its actors."""
    if seed:
        upgrade(url)
    engine = CaseEngine(url, clock=SimulatedClock(START))
    if seed:
        seed_demo_center(engine)
    with engine.session() as session:
        actors = {name: get_actor(session, name) for name in ("clerk1", "scjg_approver1")}
        item = session.get(ServiceItem, ITEM)
        actors["materials"] = [m.code for m in item.materials if m.mandatory]
    actors["forms"] = lifecycle_forms(actors["materials"])
    return engine, actors


def raw_system(engine: CaseEngine, url: str) -> RawSystem:
    with engine.session() as session:
        definition = engine.specs.get(session, latest_version(session, "one_window").id)
        data = initial_data(session.get(ServiceItem, ITEM), START.date())
    return RawSystem(url, definition.spec, definition.subprocess_specs, engine.script_engine, engine.clock, data)


def engine_step(engine: CaseEngine, actors, task, form) -> object:
    """One user step as the application makes it: an approver claims first."""
    if task.bpmn_id in APPROVER_STEPS:
        engine.claim_task(actors["scjg_approver1"], task.id)
        return engine.complete_task(actors["scjg_approver1"], task.id, form)
    return engine.complete_task(actors["clerk1"], task.id, form)


def engine_case(engine: CaseEngine, actors, before_step=None) -> None:
    """A whole case; ``before_step`` runs before each step (e.g. to empty the workflow cache)."""
    forms = actors["forms"]
    case = engine.create_case(actors["clerk1"], ITEM, APPLICANT, forms[0][1])
    for name, form in forms[1:]:
        (task,) = engine.open_tasks(case.number)
        assert task.bpmn_id == name, (task.bpmn_id, name)
        if before_step:
            before_step()
        case = engine_step(engine, actors, task, form)
    assert case.outcome == "completed"


def raw_case(raw: RawSystem, actors) -> int:
    """A whole case on the raw baseline; its id (``raw.completed`` checks it, outside a timing)."""
    forms = dict(actors["forms"])
    case_id = raw.start()
    for name, _form in actors["forms"]:
        raw.step(case_id, forms, expected=name)
    return case_id
