"""What the staff-rules page and API both do (through ``CaseEngine.staff_rules``)."""

from engine.actor import Actor
from web.access import case_engine

OVERRIDE_FIELDS = ("rule", "username", "department_code", "reason")


def warnings(actor: Actor):
    return case_engine().staff_rules.warnings(actor)


def override(actor: Actor, fields: dict):
    return case_engine().staff_rules.override(actor, **fields)


def override_form(form) -> dict:
    return {name: (form.get(name) or "").strip() or None for name in OVERRIDE_FIELDS}
