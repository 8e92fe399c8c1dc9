"""A rule's answer (``Decision``) and the predicates every rule starts from: roles held, supervising,
the back office."""

from dataclasses import dataclass

from engine.actor import Actor
from engine.errors import Forbidden, OneWindowError
from engine.roles import (
    SUPERVISING,
)


@dataclass(frozen=True)
class Decision:
    """Allowed (``refusal`` None) or refused with the error an action would raise."""

    refusal: OneWindowError | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str | None:
        return self.refusal.message if self.refusal else None

    def check(self) -> None:
        if self.refusal is not None:
            raise self.refusal

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision()
# A task's state as a refusal says it ("已办结"): the task rows keep the English key.
STATE_WORDS = {"completed": "办结", "cancelled": "取消"}


def refused(error: OneWindowError) -> Decision:
    return Decision(error)


# -- the center's areas ----------------------------------------------------------------

def holds_role(actor: Actor, roles) -> bool:
    """The gate of a page or API area: the actor holds one of ``roles`` (engine.roles groups them)."""
    return any(role in roles for role in actor.roles)


def supervises(actor: Actor) -> bool:
    """Supervisors, administrators and the director oversee the center (board, ledger, ratings, complaints, posts)."""
    return holds_role(actor, SUPERVISING)


def require_supervisor(actor: Actor, what_zh: str, what_en: str) -> None:
    """``what_zh`` / ``what_en``: the action, as "只有督查人员可以…" and "only supervisors …" end."""
    if not supervises(actor):
        raise Forbidden(f"只有督查人员可以{what_zh} (only supervisors {what_en})", field="role")


