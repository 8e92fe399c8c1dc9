"""Center setup in the engine: items saved as versions (cases keep theirs), departments, forms,
the TOML export, the calendar preview, import and correction with the November outlook,
uploaded process bundles and versioned scoring rules — each audited, each refused for anyone
but the administrator, bad input refused naming the field with nothing written."""

import tomllib
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.catalogue.export import to_toml
from engine.catalogue.loader import validate_catalogue
from engine.catalogue.models import ServiceItem
from engine.clock import local_datetime
from engine.errors import CatalogueError, Forbidden, InvalidInput, ProcessDefinitionError
from engine.ledger.rules import DEMO_RULES
from engine.workflow.bundles import PROCESS_DIR
from tests.helpers import intake, person

NEW_ITEM = {
    "code": "WJW-009", "name": "公共场所卫生许可（新办）", "department": "WJW", "category": "卫生健康",
    "case_type": "承诺件", "legal_limit_days": 20, "promised_limit_days": 8, "delivery_options": ["pickup"],
    "process": "one_window", "legal_basis": "《公共场所卫生管理条例》第八条", "result_name": "卫生许可证",
    "conditions": "经营场所符合卫生规范", "fee_basis": "", "contacts": "0571-12345678",
    "materials": [{"code": "M01", "name": "卫生许可申请表", "mandatory": True, "form": "原件", "count": 1,
                   "commitment_allowed": False}],
}


def audited(engine, action: str) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_a_saved_item_is_a_new_version_and_running_cases_keep_theirs(engine, staff):
    admin = staff["admin"]
    first = engine.catalogue_admin.save_item(admin, NEW_ITEM)
    assert (first.version, first.conditions, first.contacts) == (1, "经营场所符合卫生规范", "0571-12345678")
    case = engine.create_case(staff["clerk1"], "WJW-009", person(), intake(engine, "WJW-009"))
    assert case.item_version == 1

    changed = engine.catalogue_admin.save_item(admin, {**NEW_ITEM, "promised_limit_days": 5})
    assert changed.version == 2
    again = engine.catalogue_admin.save_item(admin, {**NEW_ITEM, "promised_limit_days": 5})
    assert again.version == 2  # unchanged: no new version
    later = engine.create_case(staff["clerk1"], "WJW-009", person(), intake(engine, "WJW-009"))
    page = engine.catalogue_admin.item("WJW-009")
    assert [v.version for v in page.versions] == [2, 1] and page.versions[1].snapshot["promised_limit_days"] == 8
    assert (engine.get_case(case.number).item_version, later.item_version) == (1, 2)
    assert audited(engine, "item_save") == 2


def test_a_department_is_saved_and_an_item_refused_naming_its_field(engine, staff):
    engine.catalogue_admin.save_department(staff["admin"], {"code": "WGJ", "name": "示范市文化广电旅游局",
                                                            "short_name": "文广旅"})
    assert "WGJ" in [d.code for d in engine.catalogue_admin.departments()]
    with pytest.raises(CatalogueError) as refused:
        engine.catalogue_admin.save_item(staff["admin"], {**NEW_ITEM, "promised_limit_days": 30})
    assert refused.value.field == "promised_limit_days"
    with pytest.raises(CatalogueError) as refused:
        engine.catalogue_admin.save_item(staff["admin"], {**NEW_ITEM, "department": "NOPE"})
    assert refused.value.field == "department"
    with pytest.raises(CatalogueError) as refused:
        engine.catalogue_admin.save_department(staff["admin"], {"code": "wgj", "name": "x", "short_name": "x"})
    assert refused.value.field == "code"
    with pytest.raises(Forbidden):
        engine.catalogue_admin.save_item(staff["supervisor"], NEW_ITEM)
    with engine.session() as session:
        assert session.get(ServiceItem, "WJW-009") is None
    assert audited(engine, "department_save") == 1


def test_forms_are_checked_by_size_type_and_content(engine, staff):
    engine.catalogue_admin.save_item(staff["admin"], NEW_ITEM)
    row = engine.catalogue_admin.add_attachment(staff["admin"], "WJW-009", "blank", "申请表.pdf", b"%PDF-1.7 x")
    assert (row.content_type, engine.catalogue_admin.attachment(row.id).data) == ("application/pdf", b"%PDF-1.7 x")
    for kind, name, data, field in (("blank", "a.exe", b"MZ", "file"), ("blank", "a.pdf", b"<html>", "file"),
                                    ("blank", "a.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "file"),
                                    ("other", "a.pdf", b"%PDF-", "kind")):
        with pytest.raises(InvalidInput) as refused:
            engine.catalogue_admin.add_attachment(staff["admin"], "WJW-009", kind, name, data)
        assert refused.value.field == field
    assert [a.filename for a in engine.catalogue_admin.item("WJW-009").attachments] == ["申请表.pdf"]


def test_the_export_loads_back_as_the_same_catalogue(engine, staff):
    engine.catalogue_admin.save_item(staff["admin"], NEW_ITEM)
    raw = tomllib.loads(to_toml(engine.catalogue_admin.export("示范市政务服务中心")))
    with engine.session() as session:
        from engine.workflow.versions import deployed_process_ids
        known = deployed_process_ids(session)
    items = {item["code"]: item for item in validate_catalogue(raw, known)["items"]}
    assert items["WJW-009"]["conditions"] == "经营场所符合卫生规范" and len(items) == len(engine.catalogue_admin.items())
    engine.load_catalogue(raw)
    assert engine.catalogue_admin.item("WJW-009").item.version == 1  # the same item: no new version


SCHEDULE_2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休上班\n2027-02-11,holiday,春节\n"


def test_the_calendar_preview_shows_changes_and_the_import_firms_up_due_dates(engine, staff, clock):
    clock.set(local_datetime(date(2026, 12, 21), 9, 0))
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    assert case.due_provisional
    outlook = engine.center_admin.outlook()
    assert outlook.warn and outlook.next_year == 2027 and [c.number for c in outlook.provisional_cases] == [case.number]

    year, changes = engine.center_admin.preview_calendar(SCHEDULE_2027)
    assert year == 2027 and [(c.day.isoformat(), c.before, c.after) for c in changes] == [
        ("2027-01-01", "ordinary", "holiday"), ("2027-02-06", "ordinary", "workday"),
        ("2027-02-11", "ordinary", "holiday")]
    assert not engine.center_admin.calendar_year(2027).known  # a preview writes nothing
    with pytest.raises(InvalidInput) as refused:
        engine.center_admin.import_calendar(staff["admin"], SCHEDULE_2027, " ")
    assert refused.value.field == "source"
    assert engine.center_admin.import_calendar(staff["admin"], SCHEDULE_2027, "国办发明电〔2026〕7号") == (2027, 3, 1)
    assert not engine.get_case(case.number).due_provisional and not engine.center_admin.outlook().warn
    assert audited(engine, "calendar_import") == 1


def test_a_single_day_is_corrected(engine, staff):
    change = engine.center_admin.correct_day(staff["admin"], date(2026, 12, 31), "holiday", "临时休假")
    assert (change.before, change.after) == ("ordinary", "holiday")
    assert not engine.calendar.get().is_working_day(date(2026, 12, 31))
    engine.center_admin.correct_day(staff["admin"], date(2026, 12, 31), "ordinary", "")
    assert engine.calendar.get().is_working_day(date(2026, 12, 31))
    for day, kind, field in ((date(2026, 12, 30), "workday", "kind"), (date(2031, 1, 6), "holiday", "day"),
                             (date(2026, 12, 30), "nap", "kind")):
        with pytest.raises(InvalidInput) as refused:
            engine.center_admin.correct_day(staff["admin"], day, kind, "x")
        assert refused.value.field == field
    with pytest.raises(Forbidden):
        engine.center_admin.correct_day(staff["clerk1"], date(2026, 12, 31), "holiday", "x")
    assert audited(engine, "calendar_correct") == 2


def _bundle(**changes) -> dict[str, bytes]:
    files = {path.name: path.read_bytes() for path in PROCESS_DIR.glob("*.bpmn")}
    files.update({path.name: path.read_bytes() for path in PROCESS_DIR.glob("*.dmn")})
    files.update({path.name: path.read_bytes() for path in (PROCESS_DIR / "forms").glob("*.json")})
    files.update(changes)
    return files


def test_an_uploaded_bundle_deploys_a_version_and_open_cases_are_counted(engine, staff):
    engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    assert engine.center_admin.deploy_upload(staff["admin"], _bundle()) == []  # unchanged
    bpmn = (PROCESS_DIR / "one_window.bpmn").read_text(encoding="utf-8").replace("收件登记", "收件登记（新）", 1)
    deployed = engine.center_admin.deploy_upload(staff["admin"], _bundle(**{"one_window.bpmn": bpmn.encode()}))
    assert [(v.process_id, v.version) for v in deployed] == [("one_window", 2)]
    lines = engine.center_admin.process_versions()
    assert [(line.version.version, line.open_cases, line.latest) for line in lines
            if line.version.process_id == "one_window"] == [(2, 0, True), (1, 1, False)]
    assert audited(engine, "deploy") >= 1


def test_a_bad_bundle_is_refused_by_element_id(engine, staff):
    bpmn = (PROCESS_DIR / "one_window.bpmn").read_text(encoding="utf-8")
    broken = bpmn.replace('<bpmn:scriptTask id="', '<bpmn:scriptTask id="', 1).replace(
        "</bpmn:script>", "__import__('os')</bpmn:script>", 1)
    with pytest.raises(ProcessDefinitionError) as refused:
        engine.center_admin.deploy_upload(staff["admin"], _bundle(**{"one_window.bpmn": broken.encode()}))
    assert "one_window.bpmn" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        engine.center_admin.deploy_upload(staff["admin"], {"run.sh": b"#!/bin/sh"})
    assert refused.value.field == "files"
    assert len(engine.center_admin.process_versions()) == 1


def test_scoring_rules_load_as_versions(engine, staff):
    rules, sets = engine.center_admin.scoring_rules()
    assert rules and [s.version for s in sets] == [1]
    raw = tomllib.loads(DEMO_RULES.read_text(encoding="utf-8"))
    engine.center_admin.load_rules(staff["admin"], raw)
    assert [s.version for s in engine.center_admin.scoring_rules()[1]] == [1]  # the same rules: no version
    raw["rules"][0]["name"] += "（修订）"
    engine.center_admin.load_rules(staff["admin"], raw)
    rules, sets = engine.center_admin.scoring_rules()
    assert [s.version for s in sets] == [2, 1] and sets[0].loaded_by == "admin"
    raw["rules"][0]["points"] = 99
    with pytest.raises(CatalogueError) as refused:
        engine.center_admin.load_rules(staff["admin"], raw)
    assert refused.value.field == "points"
    with pytest.raises(Forbidden):
        engine.center_admin.load_rules(staff["supervisor"], raw)
