"""Signing in: hashed passwords, lockout after repeated failures, API tokens; every attempt audited."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.clock import beijing
from engine.errors import Forbidden, InvalidInput
from engine.staff.models import Staff
from engine.staff.service import actor_for

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
# One message for unknown users and wrong passwords: a sign-in page must not tell which.
BAD_CREDENTIALS = "用户名或密码错误 (wrong username or password)"


def set_password(staff: Staff, password) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH or len(password) > 200:
        raise InvalidInput(f"password must be {MIN_PASSWORD_LENGTH}-200 characters", field="password")
    staff.password_hash = generate_password_hash(password, method="scrypt")
    staff.failed_logins, staff.locked_until = 0, None


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
        raise Forbidden(f"账户已锁定，请于 {beijing(staff.locked_until, '%H:%M')} 后再试 "
                        f"(account locked for {LOCKOUT.seconds // 60} minutes after {MAX_FAILED_LOGINS} failures)",
                        field="username", details={"rule": "locked", "until": staff.locked_until.isoformat(),
                                                   "minutes": LOCKOUT.seconds // 60, "failures": MAX_FAILED_LOGINS})
    if not check_password_hash(staff.password_hash, password):
        staff.failed_logins = (staff.failed_logins or 0) + 1
        if staff.failed_logins >= MAX_FAILED_LOGINS:
            staff.locked_until, staff.failed_logins = now + LOCKOUT, 0
        audit.record(session, actor=actor_for_audit(staff), action="login_failed", at=now,
                     detail={"locked": staff.locked_until is not None and staff.locked_until > now})
        raise InvalidInput(BAD_CREDENTIALS, field="username")
    actor = actor_for(staff)  # refuses disabled accounts
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
