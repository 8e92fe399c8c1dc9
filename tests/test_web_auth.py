"""Signing in: hashed passwords, lockout, CSRF, sessions, API tokens, clear errors."""

from datetime import timedelta

from sqlalchemy import select

from engine.audit.models import AuditEntry
from engine.staff.models import Staff
from tests.helpers import DEMO_PASSWORD, csrf_token_of


def _login(client, username, password):
    token = csrf_token_of(client.get("/login").data)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_passwords_are_stored_hashed_and_sign_in_works(app, engine):
    with engine.session() as session:
        stored = session.scalar(select(Staff.password_hash).where(Staff.username == "clerk1"))
    assert stored.startswith("$argon2id$") and DEMO_PASSWORD not in stored
    client = app.test_client()
    response = _login(client, "clerk1", DEMO_PASSWORD)
    assert response.status_code == 303 and response.location == "/cases/"
    assert "HttpOnly" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]


def test_five_failures_refuse_that_source_for_a_minute_but_not_the_owner_elsewhere(app, clock):
    stranger, owner = app.test_client(), app.test_client()
    stranger.environ_base["REMOTE_ADDR"], owner.environ_base["REMOTE_ADDR"] = "203.0.113.9", "10.1.2.3"
    for _ in range(5):
        assert _login(stranger, "clerk2", "wrong-password").status_code == 401
    refused = _login(stranger, "clerk2", DEMO_PASSWORD)
    assert refused.status_code == 429 and "登录失败次数过多" in refused.data.decode()
    assert _login(owner, "clerk2", DEMO_PASSWORD).status_code == 303
    clock.advance(timedelta(minutes=1, seconds=1))
    assert _login(stranger, "clerk2", DEMO_PASSWORD).status_code == 303


def test_sign_in_attempts_are_audited(app, engine):
    client = app.test_client()
    _login(client, "nobody", "x")
    _login(client, "clerk1", "wrong-password")
    _login(client, "clerk1", DEMO_PASSWORD)
    with engine.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("login%"))
                                  .order_by(AuditEntry.id)).all()
    assert actions == ["login_failed", "login_failed", "login"]


def test_a_post_without_the_csrf_token_is_refused(app):
    client = app.test_client()
    response = client.post("/login", data={"username": "clerk1", "password": DEMO_PASSWORD})
    assert response.status_code == 400 and "csrf" in response.data.decode().lower()


def test_the_session_is_renewed_on_sign_in(app):
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("session").value
    _login(client, "clerk1", DEMO_PASSWORD)
    assert client.get_cookie("session").value != before


def test_a_cookie_planted_before_sign_in_does_not_become_signed_in(app):
    attacker = app.test_client()
    attacker.get("/login")
    planted = attacker.get_cookie("session").value
    victim = app.test_client()
    victim.set_cookie("session", planted)  # session fixation: the victim signs in with the planted cookie
    _login(victim, "clerk1", DEMO_PASSWORD)
    assert victim.get("/cases/").status_code == 200
    assert attacker.get("/cases/").status_code == 302  # the attacker's copy is still signed out


def test_signing_out_ends_every_copy_of_the_session(app, engine):
    client, other_device = app.test_client(), app.test_client()
    _login(client, "clerk1", DEMO_PASSWORD)
    _login(other_device, "clerk1", DEMO_PASSWORD)
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session").value)
    assert stolen.get("/cases/").status_code == 200
    token = csrf_token_of(client.get("/progress/").data)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    for copy in (client, stolen, other_device):
        assert copy.get("/cases/").status_code == 302
    _login(client, "clerk1", DEMO_PASSWORD)  # signing in again works
    assert client.get("/cases/").status_code == 200
    with engine.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "clerk1")).all()
    assert "logout" in actions


def test_no_redirect_to_another_site_after_sign_in(app):
    client = app.test_client()
    token = csrf_token_of(client.get("/login").data)
    response = client.post("/login?next=https://evil.example/x",
                           data={"username": "clerk1", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.location == "/cases/"


def test_pages_need_sign_in_and_the_right_role(app, sign_in):
    assert app.test_client().get("/board/").status_code == 302
    clerk = sign_in("clerk1")
    assert clerk.get("/board/").status_code == 403
    assert clerk.post("/logout", data={"csrf_token": clerk.csrf}).status_code == 303
    assert clerk.get("/cases/").status_code == 302


def test_api_tokens_and_json_errors(app):
    client = app.test_client()
    assert client.get("/api/v1/auth/me").json["code"] == "unauthorized"
    bad = client.post("/api/v1/auth/token", json={"username": "clerk1"})
    assert bad.status_code == 422 and bad.json["field"] == "password"
    wrong = client.post("/api/v1/auth/token", json={"username": "clerk1", "password": "nope-nope"})
    assert wrong.status_code == 422 and wrong.json["message"] == "用户名或密码错误"
    wrong = client.post("/api/v1/auth/token", json={"username": "clerk1", "password": "nope-nope"},
                        headers={"Accept-Language": "en"})
    assert wrong.json["message"] == "wrong username or password"
    token = client.post("/api/v1/auth/token", json={"username": "clerk1", "password": DEMO_PASSWORD}).json["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["username"] == "clerk1"
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Bearer ow_forged"}).status_code == 401


def test_oversize_bodies_are_refused(app):
    response = app.test_client().post("/api/v1/auth/token", data=b"x" * (2 * 1024 * 1024),
                                      content_type="application/json")
    assert response.status_code == 413 and response.json["code"] == "too_large"


def test_chinese_first_english_on_request(app):
    client = app.test_client()
    assert "工作人员登录" in client.get("/login").data.decode()
    client.get("/lang/en")
    assert "Staff sign-in" in client.get("/login").data.decode()


def test_the_api_docs_page_uses_vendored_files(app):
    client = app.test_client()
    page = client.get("/api/docs").data.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert "/api/v1/tasks/{task_id}/complete" in client.get("/api/openapi.json").json["paths"]
