"""窗口出件 核验身份: the recipient is the applicant (same document, same name) or a recorded agent
with a valid document; each document kind has its own number format; refusals name the field."""

import pytest

from engine.cases.documents import check_recipient, document_problem
from engine.cases.identity import resident_id_check
from engine.cases.service import validate_applicant
from engine.errors import InvalidInput, ProcessDefinitionError
from tests.helpers import intake, item_code, only_task, organization, person, pickup_form, resident_id


def _permanent_residence_2017(birth: str = "19800101") -> str:
    first17 = f"933840{birth}001"
    return first17 + resident_id_check(first17)


VALID = [
    ("居民身份证", resident_id()),
    ("港澳居民来往内地通行证", "H12345678"),
    ("港澳居民来往内地通行证", "M1234567801"),
    ("台湾居民来往大陆通行证", "12345678"),
    ("台湾居民来往大陆通行证", "1234567890(B)"),
    ("护照", "E12345678"),
    ("外国人永久居留身份证", "USA331201150012"),
    ("外国人永久居留身份证", _permanent_residence_2017()),
]
INVALID = [
    ("居民身份证", resident_id()[:17] + ("0" if resident_id()[17] != "0" else "1")),  # wrong check character
    ("港澳居民来往内地通行证", "X12345678"),
    ("港澳居民来往内地通行证", "H1234567"),
    ("台湾居民来往大陆通行证", "1234567"),
    ("护照", "ABCDEFG"),
    ("护照", "e12345678"),
    ("外国人永久居留身份证", "USA331213150012"),  # month 13
    ("外国人永久居留身份证", _permanent_residence_2017()[:17] + "0" if _permanent_residence_2017()[17] != "0"
     else _permanent_residence_2017()[:17] + "1"),
    ("外国人永久居留身份证", "8" + _permanent_residence_2017()[1:]),
    ("驾驶证", "330102198503121234"),
]


@pytest.mark.parametrize(("kind", "number"), VALID)
def test_a_well_formed_document_number_passes(kind, number):
    assert document_problem(kind, number) is None


@pytest.mark.parametrize(("kind", "number"), INVALID)
def test_a_malformed_document_number_is_named(kind, number):
    assert document_problem(kind, number)


def test_intake_checks_the_same_formats():
    assert validate_applicant(person(id_type="外国人永久居留身份证", id_number=_permanent_residence_2017()))
    with pytest.raises(InvalidInput) as refused:
        validate_applicant(person(id_type="港澳居民来往内地通行证", id_number="H1234567"))
    assert refused.value.field == "applicant.id_number"


def test_a_form_declaring_the_check_must_require_the_fields_it_names():
    names = {"role": "role", "name": "name", "document_kind": "kind", "document_number": "number"}
    schema = {"x-recipient-check": names, "required": ["role", "name", "kind"]}
    with pytest.raises(ProcessDefinitionError):
        check_recipient(schema, None, {})


def _at_pickup(engine, staff, applicant: dict):
    code = item_code(engine, case_type="即办件")
    case = engine.create_case(staff["clerk1"], code, applicant, intake(engine, code))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {"decision": "approve", "opinion": "当场办结"})
    pickup = only_task(engine, case.number)
    assert pickup.bpmn_id == "window_pickup"
    return case, pickup


def _refused(engine, staff, task_id, form) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        engine.complete_task(staff["clerk2"], task_id, form)
    return refused.value


def test_the_applicant_collects_with_their_own_document_only(engine, staff):
    case, pickup = _at_pickup(engine, staff, person())
    wrong_check = resident_id()[:17] + ("0" if resident_id()[17] != "0" else "1")
    refusals = [
        (pickup_form(recipient_id_number=wrong_check), "recipient_id_number", "领取人证件号码：居民身份证号码校验位"),
        (pickup_form(recipient_id_number=resident_id(birth="19900101")), "recipient_id_number", "与申请人登记的证件号码不一致"),
        (pickup_form(recipient_id_type="护照", recipient_id_number="E12345678"), "recipient_id_type", "领取人证件类型"),
        (pickup_form(recipient_name="李四"), "recipient_name", "领取人姓名：与申请人姓名（张三）不一致"),
    ]
    for form, field, message in refusals:
        refusal = _refused(engine, staff, pickup.id, form)
        assert (refusal.field, message in refusal.message) == (field, True), refusal.message
    assert only_task(engine, case.number).id == pickup.id  # nothing was handed out
    engine.complete_task(staff["clerk2"], pickup.id, pickup_form(recipient_id_number=resident_id().lower()))
    assert only_task(engine, case.number).bpmn_id == "rating"


def test_an_agent_is_recorded_with_a_valid_document_and_the_written_authorization(engine, staff):
    case, pickup = _at_pickup(engine, staff, person())
    agent = pickup_form(recipient_role="委托代理人", recipient_name="王五", recipient_id_type="港澳居民来往内地通行证",
                        recipient_id_number="H1234567")
    assert _refused(engine, staff, pickup.id, agent | {"authorization_checked": True}).field == "recipient_id_number"
    agent["recipient_id_number"] = "H12345678"
    assert _refused(engine, staff, pickup.id, agent).field == "authorization_checked"
    engine.complete_task(staff["clerk2"], pickup.id, agent | {"authorization_checked": True})
    (handed_out,) = [entry for entry in engine.case_history(case.number) if entry.detail.get("task") == "window_pickup"]
    assert {key: handed_out.detail["form"][key] for key in ("recipient_role", "recipient_name", "recipient_id_type",
                                                             "recipient_id_number")} == {
        "recipient_role": "委托代理人", "recipient_name": "王五", "recipient_id_type": "港澳居民来往内地通行证",
        "recipient_id_number": "H12345678"}


def test_an_organization_collects_only_through_its_agent(engine, staff):
    _case, pickup = _at_pickup(engine, staff, organization())
    in_person = pickup_form(recipient_name="李四", recipient_id_number=resident_id())
    refusal = _refused(engine, staff, pickup.id, in_person)
    assert refusal.field == "recipient_role" and "委托代理人" in refusal.message
    engine.complete_task(staff["clerk2"], pickup.id, in_person | {"recipient_role": "委托代理人",
                                                                  "authorization_checked": True})


def test_the_pickup_page_names_the_refused_field_by_its_label(sign_in, engine, staff):
    case, pickup = _at_pickup(engine, staff, person())
    clerk = sign_in("clerk2")
    page = clerk.get(f"/tasks/{pickup.id}").data.decode()
    assert all(label in page for label in ("领取人身份", "委托代理人", "外国人永久居留身份证", "领取人证件号码"))
    form = pickup_form(recipient_id_number=resident_id(birth="19900101")) | {"id_checked": "true"}
    refused = clerk.post(f"/tasks/{pickup.id}/complete", data={"csrf_token": clerk.csrf, **form})
    assert refused.status_code == 422 and "领取人证件号码：与申请人登记的证件号码不一致" in refused.data.decode()
    assert only_task(engine, case.number).id == pickup.id
