"""Validation of applicant data (marshmallow), shared by the engine, the web and the CLI."""

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from engine.cases.documents import HOLDERS as ID_TYPES
from engine.cases.documents import ORGANIZATION, PERSON, document_problem
from engine.validation import control_character_problem


def _plain_text(value: str) -> None:
    if (problem := control_character_problem(value)) is not None:
        raise ValidationError(problem)


PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def _email_or_blank(value: str) -> None:
    if value:
        validate.Email(error="电子邮箱格式不正确 (not an e-mail address)")(value)


class ApplicantSchema(Schema):
    """The applicant; each field's ``label`` names it to a person in a refusal."""

    class Meta:
        unknown = RAISE

    kind = fields.Str(required=True, validate=validate.OneOf([PERSON, ORGANIZATION]), metadata={"label": "申请人类型"})
    name = fields.Str(required=True, validate=[validate.Length(1, 100), _plain_text], metadata={"label": "申请人名称"})
    id_type = fields.Str(required=True, validate=validate.OneOf(list(ID_TYPES)), metadata={"label": "证件类型"})
    id_number = fields.Str(required=True, validate=validate.Length(5, 30), metadata={"label": "证件号码"})
    phone = fields.Str(required=True, validate=validate.Regexp(PHONE, error="must be a mobile (11 digits) or landline number"),
                       metadata={"label": "申请人手机号"})
    address = fields.Str(load_default="", validate=[validate.Length(0, 200), _plain_text], metadata={"label": "联系地址"})
    # Optional: where the applicant's e-mail notifications go (engine/outbox/); blank for none.
    email = fields.Str(load_default="", validate=[validate.Length(0, 120), _email_or_blank],
                       metadata={"label": "电子邮箱"})
    contact_name = fields.Str(load_default="", validate=[validate.Length(0, 50), _plain_text],
                              metadata={"label": "经办人姓名"})

    @validates_schema
    def _check_identity(self, data, **_):
        if ID_TYPES[data["id_type"]] != data["kind"]:
            raise ValidationError(f"与申请人类型不符 (a {data['kind']} cannot apply with this document kind)", "id_type")
        problem = document_problem(data["id_type"], data["id_number"])
        if problem:
            raise ValidationError(problem, "id_number")
        if data["kind"] == ORGANIZATION and not data["contact_name"]:
            raise ValidationError("单位申请须填写经办人 (an organization names the person handling the application)",
                                  "contact_name")
        if not data["name"].strip():
            raise ValidationError("must not be blank", "name")
