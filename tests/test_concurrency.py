"""Races with real threads and separate connection pools, on SQLite and PostgreSQL.

On PostgreSQL the case row lock (SELECT ... FOR UPDATE) serializes actions on one case;
on SQLite, BEGIN IMMEDIATE serializes writers. Either way a task is completed once.
"""

import threading

from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.cases.models import Case
from engine.errors import Conflict, OneWindowError
from engine.runtime import CaseEngine
from tests.helpers import intake, item_code, only_task, person


def race(db_url, clock, count, action):
    """Run ``action(engine, index)`` in ``count`` threads released together; return results."""
    engines = [CaseEngine(db_url, clock=clock) for _ in range(count)]
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        barrier.wait()
        try:
            results[index] = action(engines[index], index)
        except OneWindowError as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.db.dispose()
    return results


def _review(engine, staff):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    return case, only_task(engine, case.number)


def test_two_racing_completions_one_wins_one_conflicts(engine, db_url, clock, staff):
    case, review = _review(engine, staff)
    engine.claim_task(staff["scjg_approver1"], review.id)
    form = {"decision": "approve", "opinion": "同意"}
    for _ in range(3):  # a few rounds on fresh cases make a lucky pass unlikely
        results = race(db_url, clock, 2, lambda eng, i, task_id=review.id: eng.complete_task(staff["scjg_approver1"], task_id, form))
        wins = [r for r in results if isinstance(r, Case)]
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(conflicts) == 1, results
        assert "already completed" in conflicts[0].message
        with engine.session() as session:
            completions = session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.task_id == review.id, AuditEntry.action == "complete"))
        assert completions == 1
        case, review = _review(engine, staff)
        engine.claim_task(staff["scjg_approver1"], review.id)


def test_many_racing_claims_exactly_one_wins(engine, db_url, clock, staff):
    _, review = _review(engine, staff)
    people = [staff["scjg_approver1"], staff["scjg_approver2"], staff["scjg_chief"]] * 3
    results = race(db_url, clock, len(people), lambda eng, i: eng.claim_task(people[i], review.id))
    winners = [r for r in results if not isinstance(r, OneWindowError)]
    assert len(winners) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in winners)
    (task,) = engine.open_tasks(_case_number(engine, review))
    assert task.assignee_id == winners[0].assignee_id


def test_racing_intakes_get_unique_consecutive_numbers(engine, db_url, clock, staff):
    code = item_code(engine, case_type="即办件")
    form = intake(engine, code)
    results = race(db_url, clock, 12, lambda eng, i: eng.create_case(staff["clerk1"], code, person(), form).number)
    assert all(isinstance(r, str) for r in results), results
    assert sorted(results) == [f"ZW20261123{n:05d}" for n in range(1, 13)]


def _case_number(engine, task):
    with engine.session() as session:
        return session.scalar(select(Case.number).where(Case.id == task.case_id))


def test_a_refused_registration_never_waits_for_the_days_counter(postgres_url, clock):
    # The counter's row stays locked from the number's issue to the commit (numbers are gap-free): what
    # is checked and run before it (the form, the commitments, the intake's workflow) must not queue.
    from sqlalchemy import create_engine, text

    from engine.errors import InvalidInput
    from tests.conftest import actors
    from tests.test_commitments import ITEM, commitment_intake

    engine = CaseEngine(postgres_url, clock=clock)
    clerk = actors(engine)["clerk1"]
    engine.create_case(clerk, ITEM, person(), commitment_intake([]))  # the day's counter row exists
    holder, refused = create_engine(postgres_url), []
    with holder.connect() as held:
        held.execute(text("SELECT last FROM case_counter WHERE day = :day FOR UPDATE"), {"day": clock.today()})

        def register():
            try:   # M01 may not be committed
                engine.create_case(clerk, ITEM, person(), commitment_intake([{"code": "M01", "due_on": "2026-11-30"}]))
            except InvalidInput as error:
                refused.append(error.field)

        attempt = threading.Thread(target=register)
        attempt.start()
        attempt.join(timeout=10)
        waited = attempt.is_alive()
        held.rollback()
    attempt.join(timeout=30)
    holder.dispose()
    engine.db.dispose()
    assert not waited and refused == ["committed_materials.0.code"]
