"""Checks shared by ratings and complaints: who may supervise, and free text fit to keep."""

from dataclasses import dataclass

from engine.errors import Forbidden, InvalidInput
from engine.staff.models import ADMIN, SUPERVISOR
from engine.staff.service import Actor

MAX_TEXT = 2000


@dataclass(frozen=True)
class SupervisionPolicy:
    """Limits in working days: rectification of a real bad rating (15 by default, some localities
    set 5), the reply to a complaint, and to a complex one (政务中心投诉举报处理 第二十六条)."""

    rectification_days: int = 15
    reply_days: int = 3
    complex_reply_days: int = 5


def require_supervisor(actor: Actor, what: str) -> None:
    if actor.role not in (SUPERVISOR, ADMIN):
        raise Forbidden(f"only supervisors {what}", field="role")


def text(value, field: str, *, max_length: int = MAX_TEXT) -> str:
    """Required free text, trimmed; no NUL (no database keeps one), at most ``max_length`` characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} is required", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} must not contain NUL characters", field=field)
    return value.strip()


def optional_text(value, field: str, *, max_length: int) -> str | None:
    return None if value is None or (isinstance(value, str) and not value.strip()) else text(
        value, field, max_length=max_length)
