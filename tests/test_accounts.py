"""Accounts of a real center (engine): one-time passwords, the policy, several roles, deactivation."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from engine import permissions
from engine.audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.roles import APPROVER, CHIEF
from engine.staff import passwords, tokens
from engine.staff.accounts import session_actor, sign_in
from engine.staff.models import Staff
from engine.staff_admin import check_roles
from tests.helpers import DEMO_PASSWORD, intake, only_task, person

GOOD = "Lantern-river-autumn-42"


def _new(engine, admin, username="clerk9", roles=("clerk",), department=None, **file):
    return engine.staff_admin.create_staff(admin, username=username, name="新同事", roles=list(roles),
                                           department=department, **file)


def _actions(engine):
    with engine.session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_new_account_gets_a_one_time_password_that_must_be_replaced(engine, staff, clock):
    view, one_time = _new(engine, staff["admin"], seconding_unit="市市场监管局", title="科员", phone="0571-8888")
    assert view.must_change_password and view.seconding_unit == "市市场监管局" and len(one_time) == 16
    actor, _epoch = sign_in(engine.transaction, "clerk9", one_time, clock.now())
    assert engine.staff_admin.password_change_due(actor.id, production=False)
    with pytest.raises(InvalidInput) as wrong_old:
        engine.staff_admin.change_password(actor, "not-it", GOOD)
    assert wrong_old.value.field == "old_password"
    engine.staff_admin.change_password(actor, one_time, GOOD)
    assert not engine.staff_admin.password_change_due(actor.id, production=False)
    assert sign_in(engine.transaction, "clerk9", GOOD, clock.now())[0].username == "clerk9"
    assert {"staff_create", "login", "password_change"} <= set(_actions(engine))


def test_a_one_time_password_expires_after_72_hours(engine, staff, clock):
    _view, one_time = _new(engine, staff["admin"])
    clock.advance(passwords.ONE_TIME_VALIDITY + timedelta(minutes=1))
    with pytest.raises(Forbidden) as expired:
        sign_in(engine.transaction, "clerk9", one_time, clock.now())
    assert "过期" in expired.value.message and expired.value.field == "password"


@pytest.mark.parametrize("password, why", [
    ("short-9", "10-200"), ("my-clerk9-secret", "用户名"), ("1234567890", "常见"), ("aaaaaaaaaaaa", "猜"),
])
def test_the_strength_policy_refuses_weak_passwords(password, why):
    with pytest.raises(InvalidInput) as refused:
        passwords.check_strength(password, username="clerk9")
    assert why in refused.value.message and refused.value.field == "new_password"


def test_the_new_password_must_differ_and_the_change_ends_sessions_and_tokens(engine, staff, clock):
    with engine.transaction() as session:
        token, _row = tokens.issue(session, staff["clerk1"].id, clock.now(), tokens.TokenPolicy(), "test")
    _actor, epoch = sign_in(engine.transaction, "clerk1", DEMO_PASSWORD, clock.now())
    with pytest.raises(InvalidInput) as same:
        engine.staff_admin.change_password(staff["clerk1"], DEMO_PASSWORD, DEMO_PASSWORD)
    assert same.value.field == "new_password"
    engine.staff_admin.change_password(staff["clerk1"], DEMO_PASSWORD, GOOD)
    with engine.session() as session:
        assert session_actor(session, staff["clerk1"].id, epoch) is None
        assert tokens.find(session, token, clock.now(), tokens.TokenPolicy()) is None


def test_old_scrypt_hashes_still_sign_in_and_are_rehashed_with_argon2id(engine, clock):
    with engine.transaction() as session:
        session.scalar(select(Staff).where(Staff.username == "clerk2")).password_hash = \
            generate_password_hash(DEMO_PASSWORD, method="scrypt")
    sign_in(engine.transaction, "clerk2", DEMO_PASSWORD, clock.now())
    with engine.session() as session:
        assert session.scalar(select(Staff.password_hash).where(Staff.username == "clerk2")).startswith("$argon2id$")


@pytest.mark.parametrize("roles, department, field", [
    (["clerk", "approver"], "SCJG", "roles"), (["admin", "supervisor"], None, "roles"), (["approver"], None, "department"),
    (["clerk"], "SCJG", "department"), (["wizard"], None, "roles"), ([], None, "roles"),
])
def test_role_combinations_outside_the_rules_are_refused(roles, department, field):
    with pytest.raises(InvalidInput) as refused:
        check_roles(roles, department)
    assert refused.value.field == field


def test_a_person_holds_several_roles_and_every_check_sees_them(engine, staff):
    view, _ = _new(engine, staff["admin"], username="scjg_lead", roles=(APPROVER, CHIEF), department="SCJG")
    assert view.role == CHIEF and set(view.roles) == {APPROVER, CHIEF}
    with engine.session() as session:
        actor = session_actor(session, view.staff.id, view.session_epoch)
    assert actor.roles == (CHIEF, APPROVER)
    assert permissions.holds_role(actor, (APPROVER,)) and permissions.in_back_office(actor)
    assert not permissions.may_administer(actor)


def test_only_the_administrator_manages_staff(engine, staff):
    with pytest.raises(Forbidden) as refused:
        _new(engine, staff["supervisor"])
    assert refused.value.field == "role"
    with pytest.raises(Conflict):
        _new(engine, staff["admin"], username="clerk1")


def test_deactivation_stops_sign_in_and_returns_claimed_tasks_keeping_the_history(engine, staff, clock):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    task = only_task(engine, case.number)
    engine.claim_task(staff["scjg_approver1"], task.id)
    with engine.transaction() as session:
        token, _row = tokens.issue(session, staff["scjg_approver1"].id, clock.now(), tokens.TokenPolicy(), "test")
    view = engine.staff_admin.deactivate(staff["admin"], "scjg_approver1")
    assert not view.active and view.deactivated_at is not None
    assert only_task(engine, case.number).assignee_id is None
    with pytest.raises(Forbidden):
        sign_in(engine.transaction, "scjg_approver1", DEMO_PASSWORD, clock.now())
    with engine.session() as session:
        assert tokens.find(session, token, clock.now(), tokens.TokenPolicy()) is None
        assert session.scalar(select(Staff).where(Staff.username == "scjg_approver1")) is not None
    assert "staff_deactivate" in _actions(engine) and "claim" in _actions(engine)
    with pytest.raises(Forbidden):
        engine.staff_admin.deactivate(staff["admin"], "admin")


def test_a_reset_forces_a_change_and_ends_the_sessions(engine, staff, clock):
    _actor, epoch = sign_in(engine.transaction, "clerk3", DEMO_PASSWORD, clock.now())
    view, one_time = engine.staff_admin.reset_password(staff["admin"], "clerk3")
    assert view.must_change_password
    with engine.session() as session:
        assert session_actor(session, staff["clerk3"].id, epoch) is None
    with pytest.raises(InvalidInput):
        sign_in(engine.transaction, "clerk3", DEMO_PASSWORD, clock.now())
    assert sign_in(engine.transaction, "clerk3", one_time, clock.now())[0].username == "clerk3"


def test_editing_roles_and_the_staff_file_and_a_chiefs_authorisation(engine, staff):
    view = engine.staff_admin.update_staff(staff["admin"], "scjg_approver2", roles=["approver", "chief"],
                                           joined_on="2025-03-01", leaves_on="2026-12-31", title="副科长")
    assert set(view.roles) == {"approver", "chief"} and view.leave_announced_on == engine.clock.today()
    with pytest.raises(InvalidInput) as bad_day:
        engine.staff_admin.update_staff(staff["admin"], "scjg_approver2", joined_on="2025-13-01")
    assert bad_day.value.field == "joined_on" and "进驻日期" in bad_day.value.message
    view = engine.staff_admin.record_authorisation(staff["admin"], "scjg_chief", scope="审批决定、延期审批",
                                                   valid_from="2026-01-01", valid_to="2026-12-31",
                                                   issued_by="示范市市场监督管理局")
    assert [row.scope for row in view.authorisations] == ["审批决定、延期审批"]
    with pytest.raises(InvalidInput) as not_chief:
        engine.staff_admin.record_authorisation(staff["admin"], "clerk1", scope="x", valid_from="2026-01-01",
                                                valid_to="2026-12-31", issued_by="y")
    assert not_chief.value.field == "username"


def test_demo_accounts_are_marked_and_in_production_must_change(engine, staff):
    with engine.session() as session:
        demo = session.scalar(select(Staff).where(Staff.username == "clerk1"))
        assert demo.is_demo
        assert passwords.change_due(demo, production=True) and not passwords.change_due(demo, production=False)
