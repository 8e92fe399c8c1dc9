"""Identity documents shown at the window, their number formats, and the recipient check at pickup.

One table says which documents exist, who holds them (a person or an organization) and
how their numbers are checked; intake and pickup both read it.

A form declares that its fields identify the person taking the result with the
``x-recipient-check`` keyword (the field names of the recipient's role, name, document
kind and number). The check:
- 申请人本人: the document is the applicant's own (same kind and number, same name);
  an organization never collects in person, only through an agent;
- 委托代理人: the agent is recorded (name, document kind and number) and his document
  must be a valid one (the form itself requires his written authorization, 授权委托书).
Refusals name the field by its title in the form.
"""

import re
from collections.abc import Callable
from datetime import date

from engine.cases.identity import BIRTH_DATE, CHECK, FORMAT, gb11643_fault, resident_id_problem, uscc_problem
from engine.errors import InvalidInput, ProcessDefinitionError

PERSON, ORGANIZATION = "person", "organization"
RESIDENT_ID = "居民身份证"
HONG_KONG_MACAO_PERMIT = "港澳居民来往内地通行证"
TAIWAN_PERMIT = "台湾居民来往大陆通行证"
PASSPORT = "护照"
FOREIGNER_PERMANENT_RESIDENCE = "外国人永久居留身份证"
CREDIT_CODE = "统一社会信用代码"

# 回乡证: H (Hong Kong) or M (Macao), 8 digits, and on the older cards 2 more digits (the issue count).
_HONG_KONG_MACAO = re.compile(r"[HM]\d{8}(\d{2})?")
# 台胞证: the card issued since 2015 has 8 digits for life; the booklet before it 10 digits and an issue letter.
_TAIWAN = re.compile(r"\d{8}|\d{10}(\([A-Z]\))?")
# Passports (ICAO 9303) differ by country: letters and digits, at least one digit.
_PASSPORT = re.compile(r"(?=.*\d)[A-Z0-9]{5,20}")
# 外国人永久居留身份证 of 2004: 3-letter nationality, 2-digit issuing province, YYMMDD, 3-digit serial, check digit.
_PERMANENT_RESIDENCE_2004 = re.compile(r"[A-Z]{3}\d{12}")


def _pattern_problem(pattern: re.Pattern, explanation: str) -> Callable[[str], str | None]:
    return lambda number: None if pattern.fullmatch(number) else explanation


_BIRTH_DATE_FAULT = "号码中的出生日期不是有效日期 (the birth date inside the number is not a real date)"
_PERMANENT_RESIDENCE_2017_FAULTS = {
    FORMAT: "应为 15 位（3 位国籍字母加 12 位数字）或以 9 开头的 18 位号码 "
            "(15 characters: 3 nationality letters and 12 digits, or 18 characters starting with 9)",
    BIRTH_DATE: _BIRTH_DATE_FAULT, CHECK: "号码校验位不正确 (the number's check character is wrong)"}


def _permanent_residence_problem(number: str) -> str | None:
    """The 2004 card (15 characters), or the 2017 one: 18 characters starting with 9, a birth date
    inside and the GB 11643 check character."""
    if _PERMANENT_RESIDENCE_2004.fullmatch(number):
        try:
            date(2000, int(number[7:9]), int(number[9:11]))  # a leap year: 0229 is a possible birthday
        except ValueError:
            return _BIRTH_DATE_FAULT
        return None
    fault = gb11643_fault(number) if number.startswith("9") else FORMAT
    return _PERMANENT_RESIDENCE_2017_FAULTS[fault] if fault else None


# document kind -> (who holds it, the problem with a number, None if it is well-formed); intake lists them in order.
DOCUMENTS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    RESIDENT_ID: (PERSON, resident_id_problem),
    HONG_KONG_MACAO_PERMIT: (PERSON, _pattern_problem(_HONG_KONG_MACAO, "应为 H 或 M 加 8 位或 10 位数字 "
                                                                  "(H or M and 8 or 10 digits)")),
    TAIWAN_PERMIT: (PERSON, _pattern_problem(_TAIWAN, "应为 8 位数字（2015 年起的卡式通行证）或 10 位数字加签发次数字母 "
                                                        "(8 digits on the card issued since 2015, or 10 digits "
                                                        "and the issue letter)")),
    PASSPORT: (PERSON, _pattern_problem(_PASSPORT, "应为 5 至 20 位大写字母或数字，含数字 "
                                                    "(5 to 20 capital letters or digits, at least one digit)")),
    FOREIGNER_PERMANENT_RESIDENCE: (PERSON, _permanent_residence_problem),
    CREDIT_CODE: (ORGANIZATION, uscc_problem),
}
HOLDERS = {kind: holder for kind, (holder, _) in DOCUMENTS.items()}


def document_problem(kind: str, number: str) -> str | None:
    """What is wrong with a document number of this kind (None: well-formed), "中文 (English)": it reaches
    the person as a refusal's ``details["reason"]``, and web.refusals shows the half of their language."""
    if kind not in DOCUMENTS:
        return f"证件类型应为{'、'.join(DOCUMENTS)}之一 (not a document kind the window accepts)"
    return DOCUMENTS[kind][1](number)


# -- who takes the result ------------------------------------------------------------
RECIPIENT_CHECK = "x-recipient-check"
RECIPIENT_FIELDS = ("role", "name", "document_kind", "document_number")
APPLICANT_IN_PERSON, AGENT = "申请人本人", "委托代理人"


def _refuse(schema: dict, field: str, problem: str) -> InvalidInput:
    title = schema.get("properties", {}).get(field, {}).get("title", field)
    return InvalidInput(f"{title}：{problem}", field=field, details={"label": title, "reason": problem})


def check_recipient(schema: dict, case, data: dict) -> None:
    """Refuse a form declaring ``x-recipient-check`` whose recipient is not the applicant or a valid agent."""
    names = schema.get(RECIPIENT_CHECK)
    if not names:
        return
    required = set(schema.get("required", []))
    if any(names.get(key) not in required for key in RECIPIENT_FIELDS):
        raise ProcessDefinitionError(f"{RECIPIENT_CHECK} 须指向表单的必填字段 {', '.join(RECIPIENT_FIELDS)} "
                                     f"({RECIPIENT_CHECK} names the form's required fields {', '.join(RECIPIENT_FIELDS)})")
    role_field, name_field = names["role"], names["name"]
    kind_field, number_field = names["document_kind"], names["document_number"]
    kind, number = data[kind_field], data[number_field].strip().upper()
    problem = document_problem(kind, number)
    if problem:
        raise _refuse(schema, number_field, problem)
    if data[role_field] == AGENT:
        return
    if case.applicant_kind == ORGANIZATION:
        raise _refuse(schema, role_field, f"申请人为单位，由其委托代理人（经办人）凭授权委托书领取，请选择“{AGENT}” "
                                          "(the applicant is an organization: its authorised agent collects the result)")
    if kind != case.applicant_id_type:
        raise _refuse(schema, kind_field, f"与申请人登记的证件类型（{case.applicant_id_type}）不一致；"
                                          f"他人代领请选择“{AGENT}” (not the document kind the applicant registered "
                                          "with; someone else collecting is an agent)")
    if number != case.applicant_id_number.upper():
        raise _refuse(schema, number_field, f"与申请人登记的证件号码不一致；他人代领请选择“{AGENT}” "
                                            "(not the applicant's document number; someone else collecting is an agent)")
    if data[name_field].strip() != case.applicant_name.strip():
        raise _refuse(schema, name_field, f"与申请人姓名（{case.applicant_name}）不一致 (not the applicant's name)")
