"""API bearer tokens: several per person (one per device), stored hashed, each ending when idle,
at its absolute end, or when it is ended (sign-out, its owner, an admin, a password change,
a deactivation)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine import permissions
from engine.actor import Actor
from engine.audit import service as audit
from engine.errors import InvalidInput, NotFound
from engine.staff.models import ApiToken, Staff
from engine.staff.service import actor_for

PREFIX = "ow_"
# A busy client would otherwise write on every request; the idle lifetime is in hours, so a
# minute's slack in ``last_used_at`` changes nothing a person notices.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenPolicy:
    """How long a token lives: ``idle`` without use, ``lifetime`` at most (a clerk's working day)."""

    idle: timedelta = timedelta(hours=2)
    lifetime: timedelta = timedelta(hours=10)

    def __post_init__(self):
        if self.idle <= timedelta(0) or self.lifetime <= timedelta(0):
            raise InvalidInput("令牌有效期须大于零 (token lifetimes must be positive)", field="token_idle_minutes")
        if self.idle > self.lifetime:
            raise InvalidInput("令牌的闲置有效期不能超过其总有效期 "
                               "(a token's idle lifetime cannot exceed its absolute lifetime)",
                               field="token_idle_minutes")

    def ends_at(self, row: ApiToken) -> datetime:
        """When the token stops working unless it is used again (or ended) first."""
        return min(row.expires_at, row.last_used_at + self.idle)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, staff_id: int, now: datetime, policy: TokenPolicy, label: str) -> tuple[str, ApiToken]:
    """A new token for the staff member (his other tokens keep working); the value is shown once."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(staff_id=staff_id, token_hash=_hash(token), label=(label or "")[:100] or "API",
                   created_at=now, last_used_at=now, expires_at=now + policy.lifetime)
    session.add(row)
    session.flush()
    return token, row


# The SQL condition of a token that still works at ``now``; its parameters are ``_live_at``'s.
_LIVE = (ApiToken.ended_at.is_(None), ApiToken.expires_at > bindparam("now"),
         ApiToken.last_used_at > bindparam("idle_since"))


def _live_at(now: datetime, policy: TokenPolicy) -> dict:
    return {"now": now, "idle_since": now - policy.idle}


# Every API request asks this: built once (building it each time was about a fifth of `GET /auth/me`).
_FIND = (select(ApiToken, Staff).join(Staff, Staff.id == ApiToken.staff_id)
         .where(ApiToken.token_hash == bindparam("token_hash"), *_LIVE))


def find(session: Session, token, now: datetime, policy: TokenPolicy) -> tuple[Actor, ApiToken, Staff] | None:
    """The actor, token row and staff row of a live token of an active account, else None (the
    staff row is returned so the request's other checks read it without asking again)."""
    if not isinstance(token, str) or not token.startswith(PREFIX) or len(token) > 100:
        return None
    found = session.execute(_FIND, {"token_hash": _hash(token), **_live_at(now, policy)}).first()
    if found is None or not found.Staff.active:
        return None
    return actor_for(found.Staff), found.ApiToken, found.Staff


def needs_touch(row: ApiToken, now: datetime) -> bool:
    return now - row.last_used_at >= TOUCH_EVERY


def touch(session: Session, token_id: int, now: datetime) -> None:
    """Keep a used token alive. Not audited: it changes no one's rights, only when idleness begins."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id, ApiToken.ended_at.is_(None))
                    .values(last_used_at=now))


def tokens_of(session: Session, staff_id: int, now: datetime, policy: TokenPolicy) -> list[ApiToken]:
    """The staff member's live tokens, newest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.staff_id == staff_id, *_LIVE)
                                .order_by(ApiToken.id.desc()), _live_at(now, policy)))


def revoke_all_tokens(session: Session, staff_id: int, now: datetime, reason: str = "revoked") -> int:
    """End every token of the staff member in the caller's transaction (the caller audits its action:
    sign-out, password change, deactivation). Returns how many were still open."""
    return session.execute(update(ApiToken).where(ApiToken.staff_id == staff_id, ApiToken.ended_at.is_(None))
                           .values(ended_at=now, end_reason=reason[:20])).rowcount


def end_token(transaction, actor: Actor, token_id: int, now: datetime, *, reason: str = "ended") -> None:
    """End one token: one's own, or anyone's for an admin; audited. Another's token is 'not found'."""
    with transaction() as session:
        row = session.get(ApiToken, token_id, with_for_update=True)
        if row is None or row.ended_at is not None or not permissions.may_end_token(actor, row.staff_id):
            raise NotFound(f"未找到有效的令牌 {token_id} (no open token {token_id})", field="token_id")
        row.ended_at, row.end_reason = now, reason
        audit.record(session, actor=actor, action="token_ended", at=now,
                     detail={"token_id": row.id, "staff_id": row.staff_id, "reason": reason})


def end_tokens_of(transaction, actor: Actor, username: str, now: datetime) -> int:
    """An admin ends every token of one person (a lost device, a suspected leak); audited."""
    permissions.may_end_tokens_of_others(actor).check()
    with transaction() as session:
        staff = session.scalar(select(Staff).where(Staff.username == username))
        if staff is None:
            raise NotFound(f"未找到人员 '{username}' (no staff member '{username}')", field="username")
        ended = revoke_all_tokens(session, staff.id, now, reason="admin")
        audit.record(session, actor=actor, action="tokens_revoked", at=now,
                     detail={"staff": staff.username, "ended": ended})
    return ended
