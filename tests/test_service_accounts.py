"""Service accounts: client credentials for a service token (JSON or the OAuth2 form), its expiry,
rotation and deactivation, its scope (never a staff token, never a staff endpoint), the admin's
page and API (CSRF on the form), the command line."""

import base64
import hashlib
import secrets
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.service_accounts.models import ServiceAccount, ServiceToken
from engine.settings import EngineSettings
from tests.helpers import token_client

TOKEN_URL, SUBMIT_URL = "/api/v1/auth/client-token", "/api/v1/pre-applications"


def create_account(app, name="省政务服务平台") -> dict:
    """A service account made by the admin over the API: its client id and secret."""
    admin = token_client(app, "admin")
    made = admin.post("/api/v1/admin/service-accounts", json={"name": name})
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def service_token(client, account) -> str:
    answer = client.post(TOKEN_URL, json={"client_id": account["client_id"], "client_secret": account["client_secret"]})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _submit_status(client, token) -> int:
    """Whether the token opens the pre-applications endpoint: an empty body is refused (422) only past it."""
    return client.post(SUBMIT_URL, json={}, headers=bearer(token)).status_code


def test_client_credentials_as_json_basic_or_form_give_a_bearer_token(app, engine):
    account = create_account(app)
    assert account["client_id"].startswith("svc_") and len(account["client_secret"]) > 40
    client = app.test_client()
    by_json = client.post(TOKEN_URL, json={"client_id": account["client_id"], "client_secret": account["client_secret"]})
    assert by_json.status_code == 200 and by_json.headers["Cache-Control"] == "no-store"
    body = by_json.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "pre_applications:submit"
    basic = base64.b64encode(f"{account['client_id']}:{account['client_secret']}".encode()).decode()
    by_basic = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"})
    by_form = client.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": account["client_id"],
                                           "client_secret": account["client_secret"], "scope": "pre_applications:submit"})
    assert by_basic.status_code == by_form.status_code == 200
    tokens = {by_json.get_json()["access_token"], by_basic.get_json()["access_token"], by_form.get_json()["access_token"]}
    assert len(tokens) == 3 and all(_submit_status(client, token) == 422 for token in tokens)
    with engine.session() as session:
        stored = session.scalar(select(ServiceAccount).where(ServiceAccount.client_id == account["client_id"]))
        hashes = set(session.scalars(select(ServiceToken.token_hash)))
    # Only digests are kept: neither the secret nor a token is in the database.
    assert stored.secret_hash == hashlib.sha256(account["client_secret"].encode()).hexdigest()
    assert hashes == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}


@pytest.mark.parametrize("credentials", [
    {"client_id": "svc_nobody", "client_secret": "sk_guess"},
    {"client_id": "", "client_secret": ""},
    {"client_id": ["svc_x"], "client_secret": {"a": 1}},
    {},
])
def test_wrong_credentials_are_a_401_that_says_no_more(app, credentials):
    account = create_account(app)
    client = app.test_client()
    wrong_secret = client.post(TOKEN_URL, json={"client_id": account["client_id"], "client_secret": "sk_" + "x" * 43})
    other = client.post(TOKEN_URL, json=credentials)
    for answer in (wrong_secret, other):
        assert answer.status_code == 401
        assert answer.get_json() == {"code": "invalid_client", "field": "client_secret",
                                     "message": "客户端标识或密钥不正确，或服务账户已停用"}
    english = client.post(TOKEN_URL, json=credentials, headers={"Accept-Language": "en"}).get_json()
    assert english["message"] == "wrong client id or secret, or the service account is deactivated"


def test_junk_at_the_token_endpoint_is_a_4xx(app):
    client = app.test_client()
    answers = [client.post(TOKEN_URL, data=b"\xff\xfe{not json", content_type="application/json"),
               client.post(TOKEN_URL, json=[1, 2]),
               client.post(TOKEN_URL, data={"grant_type": "password", "username": "admin"}),
               client.post(TOKEN_URL, data={"client_id": "x"}),
               client.post(TOKEN_URL, json={"grant_type": "authorization_code"}),
               client.post(TOKEN_URL, headers={"Authorization": "Basic !!!"}, data={"grant_type": "client_credentials"})]
    assert [answer.status_code for answer in answers] == [401, 401, 400, 400, 400, 401]
    assert answers[2].get_json()["code"] == "unsupported_grant_type" and answers[2].get_json()["field"] == "grant_type"


def test_a_scope_beyond_the_accounts_is_refused(app):
    account = create_account(app)
    answer = app.test_client().post(TOKEN_URL, json={"client_id": account["client_id"],
                                                     "client_secret": account["client_secret"], "scope": "cases:write"})
    assert answer.status_code == 422 and answer.get_json()["field"] == "scope"


def test_a_service_token_expires_after_an_hour(app, clock):
    account = create_account(app)
    client = app.test_client()
    token = service_token(client, account)
    clock.advance(timedelta(minutes=59))
    assert _submit_status(client, token) == 422
    clock.advance(timedelta(minutes=2))
    expired = client.post(SUBMIT_URL, json={}, headers=bearer(token))
    assert expired.status_code == 401 and expired.get_json()["code"] == "unauthorized"


def test_the_lifetime_is_a_setting(db_url, clock):
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": False,
                      "SERVICE_TOKEN_MINUTES": 10}, settings=EngineSettings(database_url=db_url), clock=clock)
    try:
        account = create_account(app)
        client = app.test_client()
        answer = client.post(TOKEN_URL, json={"client_id": account["client_id"], "client_secret": account["client_secret"]})
        assert answer.get_json()["expires_in"] == 600
        clock.advance(timedelta(minutes=11))
        assert _submit_status(client, answer.get_json()["access_token"]) == 401
    finally:
        app.extensions["onewindow"].db.dispose()


def test_rotating_the_secret_ends_the_old_secret_and_its_tokens(app):
    account = create_account(app)
    client, admin = app.test_client(), token_client(app, "admin")
    token = service_token(client, account)
    rotated = admin.post(f"/api/v1/admin/service-accounts/{account['client_id']}/rotate")
    assert rotated.status_code == 200 and rotated.get_json()["client_secret"] != account["client_secret"]
    assert _submit_status(client, token) == 401
    assert client.post(TOKEN_URL, json={"client_id": account["client_id"],
                                        "client_secret": account["client_secret"]}).status_code == 401
    assert _submit_status(client, service_token(client, rotated.get_json())) == 422


def test_deactivating_an_account_ends_its_tokens_and_its_credentials(app, engine):
    account = create_account(app)
    client, admin = app.test_client(), token_client(app, "admin")
    token = service_token(client, account)
    stopped = admin.post(f"/api/v1/admin/service-accounts/{account['client_id']}/deactivate")
    assert stopped.status_code == 200 and stopped.get_json()["active"] is False
    assert _submit_status(client, token) == 401
    assert client.post(TOKEN_URL, json={"client_id": account["client_id"],
                                        "client_secret": account["client_secret"]}).status_code == 401
    again = admin.post(f"/api/v1/admin/service-accounts/{account['client_id']}/deactivate")
    assert again.status_code == 409 and again.get_json()["field"] == "client_id"
    assert admin.post("/api/v1/admin/service-accounts/svc_nobody/rotate").status_code == 404
    with engine.session() as session:
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("service_%"))))
        open_tokens = session.scalar(select(func.count()).select_from(ServiceToken).where(ServiceToken.ended_at.is_(None)))
    assert {"service_account_created", "service_token_issued", "service_account_deactivated"} <= actions
    assert open_tokens == 0


def test_a_service_token_opens_no_staff_endpoint_and_a_staff_token_no_service_endpoint(app):
    account = create_account(app)
    client = app.test_client()
    token = service_token(client, account)
    for path in ("/api/v1/auth/me", "/api/v1/admin/service-accounts", "/api/v1/tasks"):
        assert client.get(path, headers=bearer(token)).status_code == 401, path
    assert client.get("/pre-applications/", headers=bearer(token)).status_code in (302, 401)
    staff_token = token_client(app, "clerk1").environ_base["HTTP_AUTHORIZATION"][7:]
    refused = client.post(SUBMIT_URL, json={}, headers=bearer(staff_token))
    assert refused.status_code == 401 and refused.get_json()["code"] == "unauthorized"
    assert client.post(SUBMIT_URL, json={}).status_code == 401  # no token at all


def test_only_the_administrator_manages_service_accounts(app, sign_in):
    clerk = token_client(app, "clerk1")
    assert clerk.get("/api/v1/admin/service-accounts").status_code == 403
    assert clerk.post("/api/v1/admin/service-accounts", json={"name": "x"}).status_code == 403
    assert sign_in("supervisor").get("/admin/service-accounts").status_code == 403
    admin = token_client(app, "admin")
    assert admin.post("/api/v1/admin/service-accounts", json={"name": "  "}).get_json()["field"] == "name"
    bad_scope = admin.post("/api/v1/admin/service-accounts", json={"name": "平台", "scopes": ["admin"]})
    assert bad_scope.status_code == 422 and bad_scope.get_json()["field"] == "scopes"
    listed = admin.get("/api/v1/admin/service-accounts").get_json()
    assert listed == []


def test_the_admin_page_creates_an_account_with_csrf_and_shows_the_secret_once(app, sign_in, engine):
    admin = sign_in("admin")
    assert "服务账户" in admin.get("/admin/staff").data.decode()  # the tab beside 人员与账户
    forged = admin.post("/admin/service-accounts", data={"name": "省政务服务平台", "scopes": "pre_applications:submit"})
    assert forged.status_code == 400
    with engine.session() as session:
        assert session.scalar(select(func.count()).select_from(ServiceAccount)) == 0
    made = admin.post("/admin/service-accounts", data={"name": "省政务服务平台", "scopes": "pre_applications:submit",
                                                        "csrf_token": admin.csrf})
    page = made.data.decode()
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    with engine.session() as session:
        account = session.scalar(select(ServiceAccount))
    secret = page.split('id="client-secret">')[1].split("<")[0]
    assert account.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    listing = admin.get("/admin/service-accounts").data.decode()
    assert account.client_id in listing and secret not in listing
    assert admin.post(f"/admin/service-accounts/{account.client_id}/deactivate").status_code == 400  # no CSRF token
    stopped = admin.post(f"/admin/service-accounts/{account.client_id}/deactivate", data={"csrf_token": admin.csrf})
    assert stopped.status_code == 303
    with engine.session() as session:
        assert session.scalar(select(ServiceAccount.active)) is False


def test_client_credentials_are_rate_limited_like_sign_in(db_url, clock):
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": True,
                      "RATELIMIT_KEY_PREFIX": f"svc-{secrets.token_hex(4)}"},
                     settings=EngineSettings(database_url=db_url), clock=clock)
    try:
        client = app.test_client()
        answers = [client.post(TOKEN_URL, json={"client_id": "svc_x", "client_secret": "y"}).status_code
                   for _ in range(21)]
        assert answers[:20] == [401] * 20 and answers[20] == 429
    finally:
        app.extensions["onewindow"].db.dispose()


def test_the_command_line_creates_a_service_account(tmp_path, monkeypatch):
    from cli import main

    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], catch_exceptions=False).exit_code == 0
    result = runner.invoke(main, ["service-account", "create", "省政务服务平台"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = dict(line.split("=", 1) for line in result.output.splitlines() if "=" in line)
    assert lines["client_id"].startswith("svc_") and lines["client_secret"].startswith("sk_")
    listed = runner.invoke(main, ["service-account", "list"], catch_exceptions=False).output
    assert lines["client_id"] in listed and lines["client_secret"] not in listed
    refused = runner.invoke(main, ["service-account", "create", " "])
    assert refused.exit_code == 1 and "名称" in refused.output
