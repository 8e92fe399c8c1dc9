"""One action, one transaction: a failure at the last moment leaves no trace."""

import pytest
from sqlalchemy import func, select

from engine.audit import service as audit_service
from engine.audit.models import AuditEntry
from engine.cases.models import Case
from engine.tasks.models import HumanTask
from engine.workflow.models import WorkflowState, WorkflowTask
from tests.helpers import intake, item_code, only_task, person


class Boom(Exception):
    pass


def _everything(engine):
    with engine.session() as session:
        return (
            session.execute(select(Case.id, Case.status, Case.stage, Case.version, Case.accepted_at,
                                   Case.next_timer_at).order_by(Case.id)).all(),
            session.execute(select(WorkflowTask.case_id, WorkflowTask.id, WorkflowTask.state, WorkflowTask.body)
                            .order_by(WorkflowTask.case_id, WorkflowTask.seq)).all(),
            session.execute(select(WorkflowState.case_id, WorkflowState.header)).all(),
            session.execute(select(HumanTask.id, HumanTask.state, HumanTask.assignee_id).order_by(HumanTask.id)).all(),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def _fail_at_audit(monkeypatch):
    """Make the last write of every action (its audit entry) fail."""
    def explode(*args, **kwargs):
        raise Boom("disk full")
    monkeypatch.setattr(audit_service, "record", explode)


def test_failed_completion_leaves_workflow_case_tasks_and_audit_untouched(engine, staff, monkeypatch):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    notice = only_task(engine, case.number)
    before = _everything(engine)
    with monkeypatch.context() as patch:
        _fail_at_audit(patch)
        with pytest.raises(Boom):
            engine.complete_task(staff["clerk1"], notice.id, {})
    assert _everything(engine) == before
    # The half-run workflow was thrown away; the same action now succeeds from the stored state.
    case = engine.complete_task(staff["clerk1"], notice.id, {})
    assert case.status == "待补办"


def test_failed_intake_leaves_no_case_and_no_number_gap_visible(engine, staff, monkeypatch):
    code = item_code(engine, case_type="即办件")
    before = _everything(engine)
    with monkeypatch.context() as patch:
        _fail_at_audit(patch)
        with pytest.raises(Boom):
            engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    assert _everything(engine) == before
    assert engine.create_case(staff["clerk1"], code, person(), intake(engine, code)).number.endswith("00001")


def test_failed_timer_changes_nothing_and_is_retried_next_sweep(engine, staff, clock, monkeypatch):
    from datetime import timedelta

    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    case = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    clock.set(case.next_timer_at + timedelta(seconds=1))
    before = _everything(engine)
    with monkeypatch.context() as patch:
        _fail_at_audit(patch)
        assert engine.fire_due_timers() == 0   # logged, not raised: other cases go on
    assert _everything(engine) == before
    assert engine.fire_due_timers() == 1
    assert engine.get_case(case.number).outcome == "withdrawn"
