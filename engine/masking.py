"""One rule for showing ID and phone numbers: every page, the history, the API and exports.

The window (engine.permissions.sees_full_numbers) checks identity and calls the applicant,
so it reads whole numbers; everyone else sees the first and last digits only — enough to
compare, not to copy. A number too short to keep its ends is hidden whole.
"""

from engine.actor import Actor
from engine.cases.models import Case
from engine.permissions import sees_full_numbers

ID_HEAD, ID_TAIL = 6, 4  # the issuing region and the check digits of a resident ID
PHONE_HEAD, PHONE_TAIL = 3, 4


def mask(value: str | None, head: int, tail: int) -> str:
    if not value:
        return ""
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]


def id_number(value: str | None) -> str:
    return mask(value, ID_HEAD, ID_TAIL)


def phone(value: str | None) -> str:
    return mask(value, PHONE_HEAD, PHONE_TAIL)


def email(value: str | None) -> str:
    """The first letter and the domain of an e-mail address (the outbox's page and API)."""
    local, at, domain = (value or "").partition("@")
    return f"{mask(local, 1, 0)}{at}{domain}"


def recipient(channel: str, value: str | None) -> str:
    """A delivery's recipient as the outbox's readers see it: phones and addresses masked, a system's URL whole."""
    if channel == "email":
        return email(value)
    if channel in ("log", "sms") and value and value.replace("-", "").isdigit():
        return phone(value)
    return value or ""


def _masked(key: str, value):
    if isinstance(value, dict):
        return {inner: _masked(inner, item) for inner, item in value.items()}
    if isinstance(value, list):
        return [_masked(key, item) for item in value]
    if isinstance(value, str) and key.endswith("id_number"):
        return id_number(value)
    if isinstance(value, str) and key.endswith("phone"):
        return phone(value)
    return value


def applicant(actor: Actor, case: Case) -> dict:
    """The case's applicant as ``actor`` may read it."""
    full = sees_full_numbers(actor)
    return {"kind": case.applicant_kind, "name": case.applicant_name, "id_type": case.applicant_id_type,
            "id_number": case.applicant_id_number if full else id_number(case.applicant_id_number),
            "phone": case.applicant_phone if full else phone(case.applicant_phone),
            "address": case.applicant_address, "contact_name": case.applicant_contact}


def form_values(actor: Actor, values: dict) -> dict:
    """Submitted form data (a history entry, a step) as ``actor`` may read it: every field
    named ``…id_number`` or ``…phone``, at any depth, masked for all but the window."""
    if sees_full_numbers(actor) or not values:
        return values
    return {key: _masked(key, value) for key, value in values.items()}
