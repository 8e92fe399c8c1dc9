"""Signing in: passwords checked (engine.staff.passwords), failures throttled per source (engine.staff.throttle),
every attempt audited.

An unknown name and a wrong password get the same answer in the same time: both check a
password against a hash (a dummy one for the unknown name) and write the same rows.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import permissions
from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.clock import beijing
from engine.errors import Forbidden, InvalidInput, TooManyAttempts
from engine.staff import passwords, throttle
from engine.staff.models import Staff
from engine.staff.service import actor_for
from engine.staff.tokens import revoke_all_tokens

# One message for unknown users and wrong passwords: a sign-in page must not tell which.
BAD_CREDENTIALS = "用户名或密码错误 (wrong username or password)"


def _too_many(until: datetime) -> TooManyAttempts:
    at = beijing(until, "%H:%M")
    return TooManyAttempts(f"登录失败次数过多，请于 {at} 后再试 (too many failed sign-ins; try again after {at})",
                           field="username", details={"rule": "throttled", "until": until.isoformat()})


def authenticate(session: Session, username, password, now: datetime, source: str = "unknown") -> Actor:
    """The staff member if the password is right. Failures slow down the source they come from
    (``engine.staff.throttle``); the account itself is never locked."""
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise InvalidInput(BAD_CREDENTIALS, field="username")
    username, source = username[:50], (source or "unknown")[:64]
    until = throttle.refused_until(session, username, source, now)
    if until is not None:
        audit.record(session, actor=SYSTEM, action="login_refused", at=now,
                     detail={"username": username, "source": source})
        raise _too_many(until)
    staff = session.scalar(select(Staff).where(Staff.username == username))
    known = staff is not None and staff.password_hash is not None
    if not (passwords.verify(staff, password) if known else passwords.verify_nobody(password)):
        for action, detail in throttle.record_failure(session, username, source, now):
            audit.record(session, actor=SYSTEM, action=action, at=now, detail=detail)
        audit.record(session, actor=actor_for_audit(staff) if known else SYSTEM, action="login_failed", at=now,
                     detail={"username": username, "source": source})
        raise InvalidInput(BAD_CREDENTIALS, field="username")
    actor = actor_for(staff)  # refuses disabled accounts
    if passwords.one_time_expired(staff, now):
        audit.record(session, actor=actor, action="login_one_time_expired", at=now)
        raise Forbidden("一次性密码已过期，请联系系统管理员重置 (the one-time password has expired: ask the "
                        "administrator for a new one)", field="password")
    throttle.clear(session, username, source)
    audit.record(session, actor=actor, action="login", at=now, detail={"source": source})
    return actor


def sign_in(transaction, username, password, now: datetime, source: str = "unknown") -> tuple[Actor, int]:
    """``authenticate`` in its own transaction that commits even when it refuses: the
    failure count, the refusal window and the audit entry must survive the refusal. Returns
    the actor and the session epoch a new session carries."""
    refusal = None
    with transaction() as session:
        try:
            actor = authenticate(session, username, password, now, source)
            return actor, session.get(Staff, actor.id).session_epoch
        except (InvalidInput, Forbidden, TooManyAttempts) as error:
            refusal = error
    raise refusal


def sign_out(transaction, actor: Actor, now: datetime) -> None:
    """End every session (a copied cookie too) and every API token of the account, audited."""
    with transaction() as session:
        session.execute(update(Staff).where(Staff.id == actor.id)
                        .values(session_epoch=Staff.session_epoch + 1))
        ended = revoke_all_tokens(session, actor.id, now, reason="sign_out")
        audit.record(session, actor=actor, action="logout", at=now, detail={"tokens_ended": ended})


def session_actor(session: Session, staff_id: int, epoch: int) -> Actor | None:
    """The actor of a session cookie, if the account is active and has not signed out since."""
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.session_epoch != epoch:
        return None
    return actor_for(staff)


def actor_for_audit(staff: Staff) -> Actor:
    return Actor(staff.id, staff.username, staff.name, staff.role, staff.department_code)



def sign_in_attacks(session: Session, actor: Actor, now: datetime) -> list:
    """The names and sources refused in the last day, for supervisors (the alerts are also in the audit)."""
    permissions.may_see_sign_in_attacks(actor).check()
    return throttle.attacks(session, now)
