"""Windows with a second B post and their kinds, the staff rules' warnings, a chief's own board."""

import pytest

from engine.errors import Forbidden, InvalidInput, NotFound
from tests.helpers import token_client


def test_a_window_takes_a_second_b_post_who_may_cover_an_absence(engine, staff):
    line = engine.posts.save_window(staff["admin"], code="ZH-01", name="综合窗口1", department_code=None,
                                    a_staff="clerk1", b_staff="clerk2", b2_staff="clerk3")
    assert (line.b_username, line.b2_username, line.window.kind) == ("clerk2", "clerk3", "comprehensive")
    absence = engine.posts.record_absence(staff["supervisor"], window_code="ZH-01", b_staff="clerk3",
                                          starts_on="2026-11-24", ends_on="2026-11-25", reason="培训")
    assert absence.b_name == "陈美玲"
    assert any(cover.staff_id == staff["clerk1"].id for cover in engine.posts.with_cover(staff["clerk3"]).covering) \
        is False  # the absence starts tomorrow (the test clock is 23 November)


@pytest.mark.parametrize("fields, field", [
    ({"kind": "category"}, "category"), ({"kind": "department"}, "department_code"),
    ({"b2_staff": "clerk1"}, "b2_staff"), ({"b2_staff": "scjg_approver1"}, "b2_staff"), ({"kind": "hall"}, "kind"),
])
def test_window_kinds_and_posts_are_checked(engine, staff, fields, field):
    with pytest.raises(InvalidInput) as refused:
        engine.posts.save_window(staff["admin"], **{"code": "ZH-09", "name": "综合窗口9", "department_code": None,
                                                    "a_staff": "clerk1", "b_staff": "clerk2", **fields})
    assert refused.value.field == field


def test_a_category_window_keeps_its_category(engine, staff):
    line = engine.posts.save_window(staff["admin"], code="FL-01", name="市场准入综合窗口", department_code=None,
                                    kind="category", category="市场准入", a_staff="clerk3", b_staff="clerk1")
    assert line.window.category == "市场准入"


def test_staff_rule_warnings_and_the_supervisors_override(engine, staff):
    engine.staff_admin.update_staff(staff["admin"], "scjg_approver1", joined_on="2026-06-01", leaves_on="2026-12-01")
    engine.staff_admin.update_staff(staff["admin"], "zrgh_chief", roles=["approver"])
    warnings = {(w.rule, w.username or w.department_code) for w in engine.staff_rules.warnings(staff["supervisor"])}
    assert {("replacement_notice", "scjg_approver1"), ("rotation_minimum", "scjg_approver1"),
            ("chief_missing", "ZRGH")} <= warnings
    kept = engine.staff_rules.override(staff["supervisor"], rule="chief_missing", department_code="ZRGH",
                                       reason="首席代表人选报批中")
    assert kept.overridden and kept.override_reason == "首席代表人选报批中"
    assert any(w.overridden for w in engine.staff_rules.warnings(staff["supervisor"]) if w.rule == "chief_missing")
    with pytest.raises(NotFound):
        engine.staff_rules.override(staff["supervisor"], rule="chief_missing", department_code="SCJG", reason="x")
    with pytest.raises(Forbidden):
        engine.staff_rules.warnings(staff["clerk1"])


def test_a_chief_sees_his_own_departments_board_only(app):
    chief = token_client(app, "scjg_chief")
    own = chief.get("/api/v1/board/summary")
    assert own.status_code == 200
    assert {row["code"] for row in own.json["departments"]} <= {"SCJG"}
    other = chief.get("/api/v1/board/summary?department=ZRGH")
    assert other.status_code == 403 and other.json["field"] == "department"
    assert token_client(app, "scjg_approver1").get("/api/v1/board/summary").status_code == 403


def test_admin_windows_api_and_staff_rules_api(app):
    admin = token_client(app, "admin")
    assert admin.post("/api/v1/admin/staff", json={"username": "scjg_approver3", "name": "钟审批", "roles": ["approver"],
                                                   "department": "SCJG"}).status_code == 201
    saved = admin.post("/api/v1/admin/windows", json={"code": "SCJG-01", "name": "市场监管审批窗口",
                                                      "department_code": "SCJG", "a_staff": "scjg_approver1",
                                                      "b_staff": "scjg_approver2", "b2_staff": "scjg_approver3"})
    assert saved.status_code == 200, saved.json
    assert saved.json["b2_username"] == "scjg_approver3" and saved.json["kind"] == "department"
    chief = admin.post("/api/v1/admin/windows", json={"code": "SCJG-01", "name": "市场监管审批窗口",
                                                      "department_code": "SCJG", "a_staff": "scjg_approver1",
                                                      "b_staff": "scjg_approver2", "b2_staff": "scjg_chief"})
    assert chief.status_code == 422 and chief.json["field"] == "b2_staff"
    bad = admin.post("/api/v1/admin/windows", json={"code": "X-1", "name": "x", "a_staff": "clerk1", "b_staff": "nobody"})
    assert bad.status_code == 404 and bad.json["field"] == "b_staff"
    assert token_client(app, "supervisor").get("/api/v1/staff-rules/warnings").status_code == 200
