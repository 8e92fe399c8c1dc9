"""Rate limits (sign-in, public lookup), counted in the store of ``RATELIMIT_STORAGE_URI``: in memory
for one process, Redis shared by every worker in production (web/config.py). The client is the
peer address, or the one the trusted proxies name (``TRUSTED_PROXIES``, applied in web/__init__.py)."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# No storage_uri here: one given to the constructor would win over the configured store.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def asked_number() -> str:
    """The number a public lookup asks about (``number``, form or JSON), as typed but trimmed and upper
    case: the key of that number's own budget, so guessing from many addresses is no quicker."""
    body = request.get_json(silent=True) if request.is_json else None
    number = body.get("number") if isinstance(body, dict) else request.form.get("number")
    return (number.strip().upper()[:32] if isinstance(number, str) else "") or "-"


def wrong_answer(response) -> bool:
    """What a number's budget counts: a wrong number or a wrong phone (404), not a malformed question."""
    return response.status_code == 404

