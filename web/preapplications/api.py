"""The provincial platform's API: client credentials for a service token (OAuth2
``client_credentials``), the pre-application post (idempotent by ``platform_application_id``);
and the administrator's service accounts under /api/v1/admin/service-accounts."""

from flask import g, request

from engine.errors import OneWindowError
from engine.roles import SERVICE_ACCOUNT_ADMINS
from engine.service_accounts.service import SUBMIT_PRE_APPLICATIONS
from web.access import case_engine, current_actor, require
from web.api import api_blueprint
from web.limits import limiter
from web.preapplications.schemas import (
    ClientToken,
    PreApplicationAnswer,
    ServiceAccountInfo,
    ServiceAccountSecret,
)
from web.service_access import require_scope, token_lifetime

blp = api_blueprint("pre_applications_api", __name__, "",
                    "The provincial platform: service tokens and online pre-applications; service accounts")
CLIENT_CREDENTIALS = "client_credentials"
NO_STORE = {"Cache-Control": "no-store"}  # a secret or a token: no cache keeps the answer


class UnsupportedGrant(OneWindowError):
    """OAuth2's ``unsupported_grant_type``: only client credentials are accepted here."""

    http_status = 400
    code = "unsupported_grant_type"


def _credentials() -> tuple:
    """(client id, secret, scope) from JSON, or from an OAuth2 form with HTTP Basic or form fields."""
    if request.is_json:
        body = request.get_json(silent=True)
        fields = body if isinstance(body, dict) else {}
        grant = fields.get("grant_type", CLIENT_CREDENTIALS)
    else:
        fields = request.form
        grant = fields.get("grant_type")
    if grant != CLIENT_CREDENTIALS:
        raise UnsupportedGrant("只接受 grant_type=client_credentials (only grant_type=client_credentials is accepted)",
                               field="grant_type")
    basic = request.authorization
    if basic is not None and basic.type == "basic":
        return basic.username, basic.password, fields.get("scope")
    return fields.get("client_id"), fields.get("client_secret"), fields.get("scope")


@blp.route("/auth/client-token", methods=["POST"])
@limiter.limit("20 per minute")
@blp.response(200, ClientToken)
def client_token():
    """A service account's client id and secret for a bearer token of its scopes (an hour by default)."""
    client_id, secret, scope = _credentials()
    issued = case_engine().service_accounts.issue_token(client_id, secret, scope, token_lifetime())
    expires_in = int((issued.expires_at - case_engine().clock.now()).total_seconds())
    return ({"access_token": issued.token, "token_type": "Bearer", "expires_in": expires_in, "scope": issued.scope},
            200, NO_STORE)


@blp.route("/pre-applications", methods=["POST"])
@require_scope(SUBMIT_PRE_APPLICATIONS)
@blp.response(201, PreApplicationAnswer)
@blp.alt_response(200, schema=PreApplicationAnswer, description="the same id and body again: the same answer")
def submit_pre_application():
    """A pre-application (待接件): 201 the first time, 200 with the same answer for the same id and body,
    409 for the same id with another body."""
    answer, created = case_engine().pre_applications.submit(g.service_account, request.get_json(silent=True))
    return answer, 201 if created else 200


def _account(account) -> dict:
    return {"client_id": account.client_id, "name": account.name, "scopes": account.scopes.split(),
            "active": account.active, "created_at": account.created_at.isoformat(),
            "rotated_at": account.rotated_at.isoformat() if account.rotated_at else None,
            "deactivated_at": account.deactivated_at.isoformat() if account.deactivated_at else None}


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@blp.route("/admin/service-accounts")
@require(*SERVICE_ACCOUNT_ADMINS)
@blp.response(200, ServiceAccountInfo(many=True))
def list_service_accounts():
    """Every service account (never its secret)."""
    return [_account(account) for account in case_engine().service_accounts.list(current_actor())]


@blp.route("/admin/service-accounts", methods=["POST"])
@require(*SERVICE_ACCOUNT_ADMINS)
@blp.response(201, ServiceAccountSecret)
def create_service_account():
    """A new service account: ``{name, scopes}``; the answer holds its secret, shown this once."""
    body = _body()
    account, secret = case_engine().service_accounts.create(current_actor(), body.get("name"), body.get("scopes"))
    return {**_account(account), "client_secret": secret}, 201, NO_STORE


@blp.route("/admin/service-accounts/<client_id>/rotate", methods=["POST"])
@require(*SERVICE_ACCOUNT_ADMINS)
@blp.response(200, ServiceAccountSecret)
def rotate_service_account(client_id):
    """A new secret, shown this once; the old secret and every token of the account stop working."""
    account, secret = case_engine().service_accounts.rotate(current_actor(), client_id)
    return {**_account(account), "client_secret": secret}, 200, NO_STORE


@blp.route("/admin/service-accounts/<client_id>/deactivate", methods=["POST"])
@require(*SERVICE_ACCOUNT_ADMINS)
@blp.response(200, ServiceAccountInfo)
def deactivate_service_account(client_id):
    """The account stops: its credentials are refused and its tokens end."""
    return _account(case_engine().service_accounts.deactivate(current_actor(), client_id))
