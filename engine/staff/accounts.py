"""Signing in: passwords checked (engine.staff.passwords), lockout after repeated failures, API tokens; every attempt audited."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.errors import Forbidden, InvalidInput
from engine.staff import passwords
from engine.staff.models import Staff
from engine.staff.service import actor_for

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# One message for unknown users and wrong passwords: a sign-in page must not tell which.
BAD_CREDENTIALS = "用户名或密码错误 (wrong username or password)"


def authenticate(session: Session, username, password, now: datetime) -> Actor:
    """The staff member if the password is right; counts failures and locks the account after 5."""
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise InvalidInput(BAD_CREDENTIALS, field="username")
    staff = session.scalar(select(Staff).where(Staff.username == username).with_for_update())
    if staff is None or staff.password_hash is None:
        audit.record(session, actor=SYSTEM, action="login_failed", at=now, detail={"username": username[:50]})
        raise InvalidInput(BAD_CREDENTIALS, field="username")
    if staff.locked_until is not None and staff.locked_until > now:
        audit.record(session, actor=actor_for_audit(staff), action="login_locked", at=now)
        raise Forbidden(f"账户已锁定，请于 {staff.locked_until.astimezone().strftime('%H:%M')} 后再试 "
                        f"(account locked for {LOCKOUT.seconds // 60} minutes after {MAX_FAILED_LOGINS} failures)",
                        field="username")
    if not passwords.verify(staff, password):
        staff.failed_logins = (staff.failed_logins or 0) + 1
        if staff.failed_logins >= MAX_FAILED_LOGINS:
            staff.locked_until, staff.failed_logins = now + LOCKOUT, 0
        audit.record(session, actor=actor_for_audit(staff), action="login_failed", at=now,
                     detail={"locked": staff.locked_until is not None and staff.locked_until > now})
        raise InvalidInput(BAD_CREDENTIALS, field="username")
    actor = actor_for(staff)  # refuses disabled accounts
    if passwords.one_time_expired(staff, now):
        audit.record(session, actor=actor, action="login_one_time_expired", at=now)
        raise Forbidden("一次性密码已过期，请联系系统管理员重置 (the one-time password has expired: ask the "
                        "administrator for a new one)", field="password")
    staff.failed_logins, staff.locked_until = 0, None
    audit.record(session, actor=actor, action="login", at=now)
    return actor


def sign_in(transaction, username, password, now: datetime) -> tuple[Actor, int]:
    """``authenticate`` in its own transaction that commits even when it refuses: the
    failure count, the lockout and the audit entry must survive the refusal. Returns the
    actor and the session epoch a new session carries."""
    refusal = None
    with transaction() as session:
        try:
            actor = authenticate(session, username, password, now)
            return actor, session.get(Staff, actor.id).session_epoch
        except (InvalidInput, Forbidden) as error:
            refusal = error
    raise refusal


def sign_out(transaction, actor: Actor, now: datetime) -> None:
    """End every session of the account (a copied cookie too), audited."""
    with transaction() as session:
        session.execute(update(Staff).where(Staff.id == actor.id)
                        .values(session_epoch=Staff.session_epoch + 1))
        audit.record(session, actor=actor, action="logout", at=now)


def session_actor(session: Session, staff_id: int, epoch: int) -> Actor | None:
    """The actor of a session cookie, if the account is active and has not signed out since."""
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.session_epoch != epoch:
        return None
    return actor_for(staff)


def actor_for_audit(staff: Staff) -> Actor:
    return Actor(staff.id, staff.username, staff.name, staff.role, staff.department_code)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, staff: Staff) -> str:
    """A new API token for ``staff`` (the old one stops working); shown once, stored hashed."""
    token = "ow_" + secrets.token_urlsafe(32)
    staff.api_token_hash = _token_hash(token)
    return token


def actor_for_token(session: Session, token: str) -> Actor | None:
    if not isinstance(token, str) or not token.startswith("ow_") or len(token) > 100:
        return None
    staff = session.scalar(select(Staff).where(Staff.api_token_hash == _token_hash(token)))
    return actor_for(staff) if staff is not None and staff.active else None
