"""Service accounts as ``CaseEngine.service_accounts``: the administrator creates, rotates and
deactivates them (each one transaction with its audit entry); a system exchanges its client
credentials for a short-lived bearer token, and the API finds the token again.

A service account is not staff: it holds no role, signs in nowhere, and its tokens live in their
own table, so no staff endpoint ever accepts one (web/access.py reads staff tokens only).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.actor import Actor
from engine.audit import service as audit
from engine.context import EngineContext
from engine.permissions import may_manage_service_accounts
from engine.service_accounts import service as accounts
from engine.service_accounts.models import ServiceAccount, ServiceToken


@dataclass(frozen=True)
class IssuedToken:
    token: str
    scope: str
    expires_at: datetime
    client_id: str


def service_actor(account: ServiceAccount) -> Actor:
    """The account as the audit trail names it: a system, not a person."""
    return Actor(id=None, username=f"service:{account.client_id}", name=account.name, role="service")


class ServiceAccountAdmin:
    def __init__(self, context: EngineContext):
        self.context, self.clock = context, context.clock

    def list(self, actor: Actor) -> list[ServiceAccount]:
        may_manage_service_accounts(actor).check()
        with self.context.session() as session:
            return accounts.accounts(session)

    def create(self, actor: Actor, name, scopes=None) -> tuple[ServiceAccount, str]:
        """A new account; its secret is in the answer only (shown once)."""
        may_manage_service_accounts(actor).check()
        now = self.clock.now()
        with self.context.transaction() as session:
            account, secret = accounts.create(session, name, scopes, actor.id, now)
            audit.record(session, actor=actor, action="service_account_created", at=now,
                         detail={"client_id": account.client_id, "name": account.name, "scopes": account.scopes})
        return account, secret

    def rotate(self, actor: Actor, client_id) -> tuple[ServiceAccount, str]:
        """A new secret; the old one and every token it gave stop working at once."""
        may_manage_service_accounts(actor).check()
        now = self.clock.now()
        with self.context.transaction() as session:
            account = accounts.locked(session, client_id)
            secret = accounts.rotate(session, account, actor.id, now)
            audit.record(session, actor=actor, action="service_account_rotated", at=now,
                         detail={"client_id": account.client_id})
        return account, secret

    def deactivate(self, actor: Actor, client_id) -> ServiceAccount:
        """The account stops: its credentials are refused and its tokens end."""
        may_manage_service_accounts(actor).check()
        now = self.clock.now()
        with self.context.transaction() as session:
            account = accounts.locked(session, client_id)
            ended = accounts.deactivate(session, account, actor.id, now)
            audit.record(session, actor=actor, action="service_account_deactivated", at=now,
                         detail={"client_id": account.client_id, "tokens_ended": ended})
        return account

    def issue_token(self, client_id, client_secret, scope=None,
                    lifetime: timedelta = accounts.TOKEN_LIFETIME) -> IssuedToken:
        """Client credentials (OAuth2 ``client_credentials``) for a bearer token of the account's scopes."""
        now = self.clock.now()
        with self.context.transaction() as session:
            account = accounts.authenticate(session, client_id, client_secret)
            granted = accounts.granted_scope(account, scope)
            token, row = accounts.issue(session, account, granted, now, lifetime)
            audit.record(session, actor=service_actor(account), action="service_token_issued", at=now,
                         detail={"token_id": row.id, "scope": granted})
        return IssuedToken(token, granted, row.expires_at, account.client_id)

    def find_token(self, token: str) -> tuple[ServiceAccount, ServiceToken] | None:
        with self.context.session() as session:
            return accounts.find(session, token, self.clock.now())
