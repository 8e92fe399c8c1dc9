"""Service accounts and their tokens: create, rotate the secret, deactivate; issue and find a token.

The client secret and every token are 256 random bits, shown once. A random secret of that size
cannot be guessed from its SHA-256, so the hash need not be slow (argon2 protects what people
choose, passwords); the secret is compared with ``hmac.compare_digest`` in constant time, and an
unknown client id is compared against a dummy hash so the answer takes as long either way.
Each function works in the caller's transaction; the caller audits.
"""

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput, NotFound, OneWindowError
from engine.service_accounts.models import ServiceAccount, ServiceToken
from engine.validation import control_character_problem

SUBMIT_PRE_APPLICATIONS = "pre_applications:submit"
# The scopes a service account may hold: submitting pre-applications only (no personal account).
SCOPES = {SUBMIT_PRE_APPLICATIONS: "提交网上预申请"}
CLIENT_PREFIX, SECRET_PREFIX, TOKEN_PREFIX = "svc_", "sk_", "ows_"
TOKEN_LIFETIME = timedelta(hours=1)
_DUMMY_HASH = hashlib.sha256(b"no such client").hexdigest()
_NAME = re.compile(r"\S")


class BadClientCredentials(OneWindowError):
    """The client id and secret do not belong to an active service account (OAuth2 ``invalid_client``)."""

    http_status = 401
    code = "invalid_client"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def check_name(name) -> str:
    if not isinstance(name, str) or not _NAME.search(name) or len(name.strip()) > 100:
        raise InvalidInput("名称须为 1 至 100 个字符 (the name must be 1 to 100 characters)", field="name")
    if control_character_problem(name) is not None:
        raise InvalidInput("名称不能含控制字符 (the name must not contain control characters)", field="name")
    return name.strip()


def check_scopes(scopes) -> str:
    """The scopes as stored (space-separated); none given: submitting pre-applications."""
    if scopes is None or scopes == "" or scopes == []:
        return SUBMIT_PRE_APPLICATIONS
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        raise InvalidInput("权限范围须为字符串列表 (scopes must be a list of strings)", field="scopes")
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise InvalidInput(f"没有这个权限范围：{unknown[0][:40]} (unknown scope; the only one is "
                           f"{SUBMIT_PRE_APPLICATIONS})", field="scopes")
    return " ".join(dict.fromkeys(scopes))


def create(session: Session, name, scopes, created_by: int | None, now: datetime) -> tuple[ServiceAccount, str]:
    """A new account with a random client id and secret; the secret is returned once, never stored."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    account = ServiceAccount(client_id=CLIENT_PREFIX + secrets.token_hex(12), name=check_name(name),
                             scopes=check_scopes(scopes), secret_hash=digest(secret), active=True, created_at=now,
                             created_by_id=created_by)
    session.add(account)
    session.flush()
    return account, secret


def locked(session: Session, client_id) -> ServiceAccount:
    if not isinstance(client_id, str) or not client_id:
        raise InvalidInput("请指明服务账户 (client_id is required)", field="client_id")
    account = session.scalar(select(ServiceAccount).where(ServiceAccount.client_id == client_id[:40])
                             .with_for_update().execution_options(populate_existing=True))
    if account is None:
        raise NotFound(f"未找到服务账户 {client_id[:40]} (no service account {client_id[:40]})", field="client_id")
    return account


def end_tokens(session: Session, account_id: int, now: datetime) -> int:
    return session.execute(update(ServiceToken).where(ServiceToken.account_id == account_id,
                                                      ServiceToken.ended_at.is_(None))
                           .values(ended_at=now)).rowcount


def rotate(session: Session, account: ServiceAccount, rotated_by: int | None, now: datetime) -> str:
    """A new secret for ``account`` (locked): the old one and every token it gave stop working."""
    if not account.active:
        raise Conflict("服务账户已停用，不能更换密钥 (the service account is deactivated)", field="client_id")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    account.secret_hash, account.rotated_at, account.rotated_by_id = digest(secret), now, rotated_by
    end_tokens(session, account.id, now)
    return secret


def deactivate(session: Session, account: ServiceAccount, deactivated_by: int | None, now: datetime) -> int:
    """Stop ``account`` (locked) and end its tokens; returns how many tokens were still open."""
    if not account.active:
        raise Conflict("服务账户已停用 (the service account is already deactivated)", field="client_id")
    account.active, account.deactivated_at, account.deactivated_by_id = False, now, deactivated_by
    return end_tokens(session, account.id, now)


def authenticate(session: Session, client_id, client_secret) -> ServiceAccount:
    """The active account these credentials belong to, or BadClientCredentials (which says no more)."""
    account = None
    if isinstance(client_id, str) and 0 < len(client_id) <= 40:
        account = session.scalar(select(ServiceAccount).where(ServiceAccount.client_id == client_id))
    secret = client_secret if isinstance(client_secret, str) and len(client_secret) <= 200 else ""
    matches = hmac.compare_digest(digest(secret), account.secret_hash if account else _DUMMY_HASH)
    if account is None or not matches or not account.active:
        raise BadClientCredentials("客户端标识或密钥不正确，或服务账户已停用 "
                                   "(wrong client id or secret, or the service account is deactivated)",
                                   field="client_secret")
    return account


def granted_scope(account: ServiceAccount, requested) -> str:
    """The scope a token gets: what was asked (OAuth2 ``scope``), within the account's; none asked: all of them."""
    held = account.scopes.split()
    if requested is None or requested == "":
        return " ".join(held)
    asked = requested.split() if isinstance(requested, str) else None
    if not asked or any(scope not in held for scope in asked):
        raise InvalidInput("请求的权限范围超出该服务账户的范围 (the requested scope is not granted to this account)",
                           field="scope")
    return " ".join(dict.fromkeys(asked))


def issue(session: Session, account: ServiceAccount, scope: str, now: datetime,
          lifetime: timedelta = TOKEN_LIFETIME) -> tuple[str, ServiceToken]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ServiceToken(account_id=account.id, token_hash=digest(token), scope=scope, created_at=now,
                       expires_at=now + lifetime)
    session.add(row)
    session.flush()
    return token, row


def find(session: Session, token: str, now: datetime) -> tuple[ServiceAccount, ServiceToken] | None:
    """The live token's account and row: not ended, not expired, its account active."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    found = session.execute(select(ServiceAccount, ServiceToken).join(
        ServiceToken, ServiceToken.account_id == ServiceAccount.id).where(
        ServiceToken.token_hash == digest(token), ServiceToken.ended_at.is_(None), ServiceToken.expires_at > now,
        ServiceAccount.active.is_(True))).first()
    return (found[0], found[1]) if found else None


def accounts(session: Session) -> list[ServiceAccount]:
    return list(session.scalars(select(ServiceAccount).order_by(ServiceAccount.id)))
