"""The integrity check, and crash safety: writers SIGKILLed and restarted lose nothing.

The crash runs are a small version of ``bench/crash.py`` (same code), on PostgreSQL.
"""

from datetime import date

from sqlalchemy import select, text

from bench.crash import crash_driver, crash_scheduler, seed_past_due_work
from engine.clock import local_datetime
from engine.integrity import check_caught_up, check_database
from engine.tasks.models import HumanTask
from tests.helpers import (
    approve_in_back_office,
    full_materials,
    intake,
    item_code,
    only_task,
    person,
    pickup_form,
)

LATE = local_datetime(date(2026, 12, 10), 10)  # notice timers long due, accepted cases 3 working days late


def _center(engine, staff, clock) -> dict[str, str]:
    """Cases in every kind of state, by what they are; returns their numbers."""
    promised, immediate = item_code(engine, case_type="承诺件", name="食品经营许可"), item_code(engine, case_type="即办件")
    numbers = {}

    def new(name, code=promised, **form):
        numbers[name] = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, **form)).number
        return numbers[name]

    closed = new("closed", immediate)
    engine.complete_task(staff["clerk1"], only_task(engine, closed).id, {"decision": "approve", "opinion": "当场办结"})
    engine.complete_task(staff["clerk2"], only_task(engine, closed).id, pickup_form())
    engine.complete_task(staff["clerk2"], only_task(engine, closed).id, {"rating": "满意"})
    new("queued")
    released = only_task(engine, new("released")).id
    engine.claim_task(staff["scjg_approver1"], released)
    engine.unclaim_task(staff["scjg_chief"], released)
    engine.claim_task(staff["scjg_approver2"], only_task(engine, new("claimed")).id)
    corrected = new("corrected", missing=1)
    engine.complete_task(staff["clerk1"], only_task(engine, corrected).id, {"notice_remarks": "请补齐"})
    engine.complete_task(staff["clerk2"], only_task(engine, corrected).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, promised), "material_defects": []})
    approve_in_back_office(engine, corrected, staff["scjg_approver1"])
    notified = new("notified", missing=1)
    engine.complete_task(staff["clerk1"], only_task(engine, notified).id, {"notice_remarks": "请补齐"})
    new("deemed", missing=1)
    new("late")
    clock.set(LATE)
    assert engine.fire_due_timers() == 1  # the notice nobody issued: deemed accepted
    engine.sweep_deadlines()  # every accepted case is late now: overdue days charged
    return numbers


def _findings_by_case(engine) -> dict[str | None, list[str]]:
    found = {}
    for finding in check_database(engine):
        found.setdefault(finding.case_number, []).append(finding.problem)
    return found


def test_a_healthy_database_is_consistent_and_caught_up(engine, staff, clock):
    _center(engine, staff, clock)
    assert check_database(engine) == []
    assert check_caught_up(engine) == []
    with engine.session() as session:  # the center really has ledger entries and timers to check
        # one deemed acceptance, and 5 cases accepted on 23 November 3 working days late
        assert session.execute(text("SELECT count(*) FROM ledger_entry")).scalar() == 1 + 5 * 3


def test_each_corruption_is_found_on_its_own_case(engine, staff, clock):
    numbers = _center(engine, staff, clock)
    with engine.session() as session:
        ids = {name: session.execute(text("SELECT id FROM service_case WHERE number = :n"), {"n": number}).scalar()
               for name, number in numbers.items()}
        review_of = {name: session.scalar(select(HumanTask.id).where(HumanTask.case_id == ids[name],
                                                                    HumanTask.state == "open"))
                     for name in ("queued", "claimed")}
        closed_tasks = session.scalars(select(HumanTask.id).where(HumanTask.case_id == ids["closed"])).all()
        leaf = session.execute(text("SELECT id FROM workflow_task WHERE case_id = :c AND state = 'COMPLETED' "
                                    "ORDER BY seq DESC LIMIT 1"), {"c": ids["notified"]}).scalar()
    corruptions = [
        ("UPDATE human_task SET completed_by_id = (SELECT id FROM staff WHERE username = 'clerk3') WHERE id = :t",
         {"t": closed_tasks[0]}),
        ("DELETE FROM human_task WHERE id = :t", {"t": review_of["queued"]}),
        ("UPDATE human_task SET assignee_id = NULL WHERE id = :t", {"t": review_of["claimed"]}),
        ("UPDATE service_case SET status = '暂停' WHERE id = :c", {"c": ids["corrected"]}),
        ("DELETE FROM workflow_state WHERE case_id = :c", {"c": ids["released"]}),
        ("DELETE FROM workflow_task WHERE id = :t", {"t": leaf}),
        ("UPDATE service_case SET overdue_days_charged = 1 WHERE id = :c", {"c": ids["late"]}),
        ("UPDATE service_case SET closed_at = updated_at, outcome = 'completed' WHERE id = :c", {"c": ids["deemed"]}),
    ]
    with engine.transaction() as session:
        for statement, parameters in corruptions:
            session.execute(text(statement), parameters)
    found = _findings_by_case(engine)
    assert set(found) == {numbers[name] for name in ("closed", "queued", "claimed", "corrected", "released",
                                                     "notified", "late", "deemed")}, found

    def says(name, fragment):
        return any(fragment in problem for problem in found[numbers[name]])

    assert says("closed", "but its audit has 1 completions")
    assert says("queued", "has no open task row")
    assert says("claimed", "is assigned to None but its last claim or release in the audit says")
    assert says("corrected", "its workflow's last status step says '正常办结'")
    assert says("corrected", "its last audit entry left it '正常办结'")
    assert says("released", "has no workflow state")
    assert says("notified", "workflow tree is broken")
    assert says("late", "the case has 1 overdue days charged")
    assert says("deemed", "the case is closed but its workflow is still running")


def test_a_clock_that_disagrees_with_its_workflow_is_found(engine, staff):
    promised = item_code(engine, case_type="承诺件", name="食品经营许可")
    stopped, running = (engine.create_case(staff["clerk1"], promised, person(), intake(engine, promised)).number
                        for _ in range(2))
    for number in (stopped, running):
        engine.claim_task(staff["scjg_approver1"], only_task(engine, number).id)
    engine.suspend_clock(staff["scjg_approver1"], stopped, "检验", "送检样品")
    assert check_database(engine) == []
    with engine.transaction() as session:
        session.execute(text("UPDATE service_case SET suspended_since = NULL WHERE number = :n"), {"n": stopped})
        session.execute(text("UPDATE service_case SET extended_days = 10 WHERE number = :n"), {"n": running})
    found = _findings_by_case(engine)
    assert set(found) == {stopped, running}, found
    assert any("clock is running on the case but 1 suspensions started and 0 ended" in p for p in found[stopped])
    assert any("extended by 10 days but 0 extensions granted" in p for p in found[running])


def test_a_case_the_sweep_has_not_reached_is_not_caught_up(engine, staff, clock):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    clock.set(LATE)
    assert check_database(engine) == []  # consistent: nothing is half-done
    behind = [str(finding) for finding in check_caught_up(engine)]
    assert any(case.number in problem and "deadline check due" in problem for problem in behind), behind
    assert any("0 overdue days charged, 3 are due" in problem for problem in behind), behind
    engine.sweep_deadlines()
    assert check_caught_up(engine) == []


# -- crashes (PostgreSQL, real child processes) ---------------------------------------------------
def test_the_driver_killed_at_random_moments_loses_nothing(postgres_url):
    outcome = crash_driver(postgres_url, kills=3, cases=30, seed=11, max_delay=0.8)
    assert outcome.problems == []
    assert outcome.kills == 3
    assert (outcome.figures["cases"], outcome.figures["open"]) == (30, 0)
    assert outcome.figures["acknowledged commits"] >= 30


def test_the_scheduler_killed_mid_work_misses_and_doubles_nothing(postgres_url):
    timer_ids = seed_past_due_work(postgres_url, timer_cases=30, late_cases=10)
    outcome = crash_scheduler(postgres_url, timer_ids, kills=2, seed=5, max_delay=0.3)
    assert outcome.problems == []
    assert outcome.kills == 2
    interrupted = outcome.figures.get("kills firing timers", 0) + outcome.figures.get("kills in the deadline sweep", 0)
    assert interrupted >= 1, outcome.figures  # at least one kill landed while work was left
    # 40 cases received 20 working days ago, accepted then (deemed so for 30 of them), promised in 10.
    assert outcome.figures["overdue days charged once"] == 40 * 10
    assert outcome.figures["deemed acceptances charged once"] == outcome.figures["timers fired once"] == 30
