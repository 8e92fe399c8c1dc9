"""The administrator's API: a staff member in and out, the one-time password, an authorisation."""

from marshmallow import Schema, fields, validate

from engine.posts.service import WINDOW_KINDS


def role_list(**options) -> fields.List:
    return fields.List(fields.Str(validate=validate.Length(1, 20)), validate=validate.Length(1, 3),
                       metadata={"description": "e.g. [\"approver\", \"chief\"]; allowed combinations in docs/rules.md",
                                 "label": "角色"}, **options)


class StaffFile(Schema):
    seconding_unit = fields.Str(allow_none=True, metadata={"description": "派出单位"})
    title = fields.Str(allow_none=True, metadata={"description": "职务"})
    phone = fields.Str(allow_none=True)
    joined_on = fields.Date(allow_none=True, metadata={"description": "进驻日期"})
    leaves_on = fields.Date(allow_none=True, metadata={"description": "调离日期"})


class NewStaff(StaffFile):
    username = fields.Str(required=True, validate=validate.Length(1, 50))
    name = fields.Str(required=True, validate=validate.Length(1, 50))
    roles = role_list(required=True)
    department = fields.Str(allow_none=True, validate=validate.Length(max=16))


class StaffChanges(StaffFile):
    name = fields.Str(validate=validate.Length(1, 50))
    roles = role_list()
    department = fields.Str(allow_none=True, validate=validate.Length(max=16))


class Authorisation(Schema):
    id = fields.Int(dump_only=True)
    scope = fields.Str(required=True, validate=validate.Length(1, 500), metadata={"description": "授权范围"})
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    issued_by = fields.Str(required=True, validate=validate.Length(1, 100), metadata={"description": "授权人/单位"})


class StaffRow(Schema):
    username = fields.Str()
    name = fields.Str()
    role = fields.Str(metadata={"description": "the primary role"})
    roles = fields.List(fields.Str())
    department = fields.Str(attribute="department_code", allow_none=True)
    department_name = fields.Str(allow_none=True)
    active = fields.Bool()
    deactivated_at = fields.DateTime(allow_none=True)
    is_demo = fields.Bool()
    must_change_password = fields.Bool()
    password_expires_at = fields.DateTime(allow_none=True)
    seconding_unit = fields.Str(allow_none=True)
    title = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    joined_on = fields.Date(allow_none=True)
    leaves_on = fields.Date(allow_none=True)
    leave_announced_on = fields.Date(allow_none=True)
    authorisations = fields.List(fields.Nested(Authorisation))


class StaffWithPassword(Schema):
    staff = fields.Nested(StaffRow)
    one_time_password = fields.Str(metadata={"description": "shown once; valid 72 hours; must be changed at first sign-in"})
    expires_at = fields.DateTime()


class WindowPosts(Schema):
    """A window and its posts: the A post, one or two B posts (seed 004 篇九 第六条)."""

    code = fields.Str(required=True, validate=validate.Length(1, 16))
    name = fields.Str(required=True, validate=validate.Length(1, 50))
    kind = fields.Str(load_default=None, validate=validate.OneOf(WINDOW_KINDS),
                      metadata={"description": "comprehensive (综合窗口), category (分类综合窗口), department (部门窗口)"})
    category = fields.Str(load_default=None, allow_none=True, metadata={"description": "分类综合窗口的类别"})
    department_code = fields.Str(load_default=None, allow_none=True)
    a_staff = fields.Str(required=True, metadata={"description": "username of the A post"})
    b_staff = fields.Str(required=True, metadata={"description": "username of the B post"})
    b2_staff = fields.Str(load_default=None, allow_none=True, metadata={"description": "a second B post"})
