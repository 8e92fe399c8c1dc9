"""The staff rules' warnings and the supervisor's overrides."""

from marshmallow import Schema, fields, validate

from engine.roles import SUPERVISING
from engine.staff_rules import RULES
from web.access import current_actor, require
from web.api import api_blueprint
from web.staffrules import service

blp = api_blueprint("staff_rules_api", __name__, "/staff-rules",
                    "Staff rules of seed 004 篇九 as warnings: notice of a replacement, a year before rotation, "
                    "a chief representative per department seconding two or more")


class StaffWarningRow(Schema):
    rule = fields.Str(metadata={"description": ", ".join(RULES)})
    message = fields.Str()
    username = fields.Str(allow_none=True)
    department_code = fields.Str(allow_none=True)
    overridden = fields.Bool()
    override_reason = fields.Str(allow_none=True)


class Override(Schema):
    rule = fields.Str(required=True, validate=validate.OneOf(RULES))
    username = fields.Str(load_default=None, allow_none=True)
    department_code = fields.Str(load_default=None, allow_none=True)
    reason = fields.Str(required=True, validate=validate.Length(1, 300))


@blp.route("/warnings")
@require(*SUPERVISING)
@blp.response(200, StaffWarningRow(many=True))
def warnings():
    """Every staff rule warning, overridden ones marked with the reason."""
    return service.warnings(current_actor())


@blp.route("/overrides", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(Override)
@blp.response(201, StaffWarningRow)
def override(fields):
    """Let a warning stand, with the reason (audited); 404 when there is no such warning."""
    return service.override(current_actor(), fields)
