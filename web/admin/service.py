"""What the administrator's pages and API both do (all through ``CaseEngine.staff_admin``)."""

from engine.actor import Actor
from web.access import case_engine

FILE_FIELDS = ("seconding_unit", "title", "phone", "joined_on", "leaves_on")
AUTHORISATION_FIELDS = ("scope", "valid_from", "valid_to", "issued_by")
WINDOW_FIELDS = ("code", "name", "kind", "category", "department_code", "a_staff", "b_staff", "b2_staff")


def staff_list(actor: Actor):
    return case_engine().staff_admin.list_staff(actor)


def staff(actor: Actor, username: str):
    return case_engine().staff_admin.get_staff(actor, username)


def create_staff(actor: Actor, fields: dict):
    return case_engine().staff_admin.create_staff(actor, **fields)


def update_staff(actor: Actor, username: str, fields: dict):
    return case_engine().staff_admin.update_staff(actor, username, **fields)


def deactivate(actor: Actor, username: str):
    return case_engine().staff_admin.deactivate(actor, username)


def reset_password(actor: Actor, username: str):
    return case_engine().staff_admin.reset_password(actor, username)


def record_authorisation(actor: Actor, username: str, fields: dict):
    return case_engine().staff_admin.record_authorisation(actor, username, **fields)


def staff_form(form, *, new: bool) -> dict:
    """The page form's fields for the engine: blanks as None (the engine names what is missing),
    the roles as the ticked boxes."""
    fields = {name: (form.get(name) or "").strip() or None for name in ("name", "department", *FILE_FIELDS)}
    fields["roles"] = form.getlist("roles")
    if new:
        fields["username"] = (form.get("username") or "").strip()
    return fields


def authorisation_form(form) -> dict:
    return {name: (form.get(name) or "").strip() or None for name in AUTHORISATION_FIELDS}


def windows(actor: Actor):
    return case_engine().posts.windows(actor)


def save_window(actor: Actor, fields: dict):
    return case_engine().posts.save_window(actor, **fields)


def window_form(form) -> dict:
    return {name: (form.get(name) or "").strip() or None for name in WINDOW_FIELDS}
