"""Control characters are refused in every free-text input, and every export writes stored
text safely: characters a spreadsheet cannot hold replaced, text that looks like a formula
kept as text (issue 13, points 1 and 2)."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from engine.errors import InvalidInput
from engine.exports import csv_field, writable_text
from engine.ledger.models import LedgerEntry
from engine.validation import optional_text, text
from engine.workflow.forms import validate_submission
from tests.helpers import intake, person

FOOD = "SCJG-002"
CONTROLS = ["\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\r", "\ud800", "\ufffe"]


@pytest.mark.parametrize("character", CONTROLS)
def test_free_text_refuses_control_characters(character):
    with pytest.raises(InvalidInput, match=f"control characters \\(U\\+{ord(character):04X}\\)") as refused:
        text(f"迟到{character}记录", "evidence")
    assert refused.value.field == "evidence"
    with pytest.raises(InvalidInput):
        optional_text(f"x{character}", "target_window")


def test_tab_and_newlines_are_kept():
    assert text("第一行\t说明\r\n第二行\n第三行", "opinion") == "第一行\t说明\n第二行\n第三行"


def test_every_input_path_refuses_them(engine, staff):
    with pytest.raises(InvalidInput) as ledger:
        engine.ledger.record(staff["supervisor"], staff_id=staff["clerk1"].id, rule_code="JL-05",
                             occurred_on=date(2026, 11, 23), evidence="迟到\x07")
    assert ledger.value.field == "evidence"
    with pytest.raises(InvalidInput) as applicant:
        engine.create_case(staff["clerk1"], FOOD, person(name="张\x0b三"), intake(engine, FOOD))
    assert applicant.value.field == "applicant.name"
    schema = {"type": "object", "additionalProperties": False,
              "properties": {"defects": {"type": "array", "items": {"type": "object", "properties": {
                  "problem": {"type": "string"}}}}}}
    with pytest.raises(InvalidInput) as form:
        validate_submission(schema, {}, {"defects": [{"problem": "复印件\x1b不清"}]}, frozenset())
    assert form.value.field == "defects.0.problem"


def test_the_web_names_the_field(sign_in, engine):
    clerk = sign_in("clerk1")
    body = {"item_code": FOOD, "applicant": person(address="示范市\x07路"), "intake": intake(engine, FOOD)}
    refused = clerk.post("/api/v1/cases", json=body, headers={"X-CSRFToken": clerk.csrf})
    assert refused.status_code == 422 and refused.get_json()["field"] == "applicant.address"


HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点此\")", "+1+2", "-3+cmd|' /C calc'!A0", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]


def test_the_ledger_export_survives_stored_control_characters_and_keeps_formulas_as_text(engine, staff):
    entries = [engine.ledger.record(staff["supervisor"], staff_id=staff["clerk1"].id, rule_code="JL-05",
                                    occurred_on=date(2026, 11, 23), evidence=f"记录{index}")
               for index in range(len(HOSTILE) + 1)]
    # Rows written before input refused them (or by SQL): the export must still work.
    stored = {entry.id: value for entry, value in zip(entries, ["迟到\x07\x0b记录", *HOSTILE], strict=True)}
    with engine.context.transaction() as session:
        for entry_id, value in stored.items():
            session.execute(update(LedgerEntry).where(LedgerEntry.id == entry_id).values(evidence=value))
    data = engine.ledger.export(staff["supervisor"], "2026-11", center_name="=示范市政务服务中心")
    details = load_workbook(BytesIO(data))["考核台账"]
    cells = {cell.value: cell for (cell,) in details.iter_rows(min_row=4, min_col=8, max_col=8)}
    assert "迟到\ufffd\ufffd记录" in cells
    for value in HOSTILE:
        assert cells[value].data_type == "s" and cells[value].quotePrefix, value
    title = load_workbook(BytesIO(data))["考核结果"]["A1"]
    assert title.data_type == "s" and title.value.startswith("=示范市")


def test_csv_fields_get_a_leading_quote():
    assert [csv_field(value) for value in ("=1+1", "-2", "@x", "\tx", "\rx", "普通", 3)] == [
        "'=1+1", "'-2", "'@x", "'\tx", "'\rx", "普通", 3]
    assert writable_text("a\x00b\x1fc\ud800") == "a\ufffdb\ufffdc\ufffd"
