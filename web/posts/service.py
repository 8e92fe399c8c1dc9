"""What the A/B post pages and API both do (all through ``CaseEngine.posts``)."""

from engine.actor import Actor
from web.access import case_engine

ABSENCE_FIELDS = ("window_code", "b_staff", "starts_on", "ends_on", "reason")


def windows(actor: Actor):
    return case_engine().posts.windows(actor)


def absences(actor: Actor, state: str):
    return case_engine().posts.absences(actor, state)


def record_absence(actor: Actor, fields: dict):
    return case_engine().posts.record_absence(actor, **fields)


def cancel_absence(actor: Actor, absence_id: int):
    return case_engine().posts.cancel_absence(actor, absence_id)


def form_fields(form) -> dict:
    """The page form's fields for the engine, blanks as None (the engine names what is missing)."""
    return {name: (form.get(name) or "").strip() or None for name in ABSENCE_FIELDS}
