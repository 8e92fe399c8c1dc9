"""API tokens: one per device, stored hashed, idle and absolute lifetimes, ended by sign-out, by their
owner, by an admin, and by ``revoke_all_tokens`` (password change, deactivation)."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine.audit.models import AuditEntry
from engine.settings import EngineSettings
from engine.staff.models import ApiToken, Staff
from engine.staff.tokens import TokenPolicy, revoke_all_tokens
from tests.helpers import DEMO_PASSWORD, csrf_token_of

ME = "/api/v1/auth/me"


@pytest.fixture
def default_app(db_url, clock):
    """The app with the default token lifetimes (the shared ``app`` fixture's tokens outlive its tests)."""
    from web import create_app

    application = create_app({"TESTING": True, "RATELIMIT_ENABLED": False},
                             settings=EngineSettings(database_url=db_url), clock=clock)
    yield application
    application.extensions["onewindow"].db.dispose()


def _token(client, username="clerk1", agent="tablet") -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD},
                           headers={"User-Agent": agent})
    assert response.status_code == 201, response.json
    return response.json


def _bearer(token: dict) -> dict:
    return {"Authorization": f"Bearer {token['token']}"}


def _works(client, token) -> bool:
    status = client.get(ME, headers=_bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


def test_tokens_are_stored_hashed_one_per_device(app, engine):
    client = app.test_client()
    tablet, laptop = _token(client, agent="tablet"), _token(client, agent="laptop")
    assert _works(client, tablet) and _works(client, laptop)  # a second token does not end the first
    with engine.session() as session:
        rows = session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    assert [row.label for row in rows] == ["tablet", "laptop"]
    assert rows[0].token_hash == hashlib.sha256(tablet["token"].encode()).hexdigest()
    assert all(tablet["token"] not in (row.token_hash, row.label) for row in rows)


def test_a_token_dies_after_two_idle_hours_and_lives_while_used(default_app, clock):
    client = default_app.test_client()
    token = _token(client)
    assert token["idle_minutes"] == 120
    for _ in range(4):  # used every 1 h 50 min: alive for 7 h 20 min
        clock.advance(timedelta(hours=1, minutes=50))
        assert _works(client, token)
    clock.advance(timedelta(hours=2, minutes=1))
    assert not _works(client, token)


def test_a_token_dies_ten_hours_after_it_was_issued_however_busy(default_app, clock):
    client = default_app.test_client()
    token = _token(client)
    for _ in range(9):
        clock.advance(timedelta(hours=1))
        assert _works(client, token)
    clock.advance(timedelta(minutes=59))
    assert _works(client, token)
    clock.advance(timedelta(minutes=1))
    assert not _works(client, token)


def test_the_lifetimes_come_from_the_engine_settings(db_url, clock):
    from web import create_app

    settings = EngineSettings.from_environment({"ONEWINDOW_DATABASE_URL": db_url, "ONEWINDOW_TOKEN_IDLE_MINUTES": "30",
                                                "ONEWINDOW_TOKEN_LIFETIME_MINUTES": "60"})
    assert settings.tokens == TokenPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=1))
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}, settings=settings, clock=clock)
    try:
        client = app.test_client()
        token = _token(client)
        clock.advance(timedelta(minutes=29))
        assert _works(client, token)
        clock.advance(timedelta(minutes=31))
        assert not _works(client, token)
    finally:
        app.extensions["onewindow"].db.dispose()


def test_a_person_lists_and_ends_his_own_tokens(app, engine):
    client = app.test_client()
    tablet, laptop = _token(client, agent="tablet"), _token(client, agent="laptop")
    other = _token(client, "clerk2")
    listed = client.get("/api/v1/auth/tokens", headers=_bearer(tablet)).json
    assert [(row["label"], row["current"]) for row in listed] == [("laptop", False), ("tablet", True)]
    # Someone else's token is "not found", and stays open.
    assert client.delete(f"/api/v1/auth/tokens/{other['id']}", headers=_bearer(tablet)).status_code == 404
    assert _works(client, other)
    assert client.delete(f"/api/v1/auth/tokens/{laptop['id']}", headers=_bearer(tablet)).status_code == 204
    assert not _works(client, laptop) and _works(client, tablet)
    # DELETE /auth/token ends the token it is sent with.
    assert client.delete("/api/v1/auth/token", headers=_bearer(tablet)).status_code == 204
    assert not _works(client, tablet) and _works(client, other)
    with engine.session() as session:
        ended = session.scalars(select(AuditEntry.action).where(AuditEntry.action == "token_ended")).all()
    assert len(ended) == 2


def test_ending_the_current_token_needs_a_bearer_token(sign_in):
    clerk = sign_in("clerk1")
    response = clerk.delete("/api/v1/auth/token", headers={"X-CSRFToken": clerk.csrf})
    assert response.status_code == 422 and response.json["field"] == "Authorization"


def test_signing_out_of_the_pages_ends_every_token_too(app, sign_in):
    client = app.test_client()
    token = _token(client)
    page = sign_in("clerk1")
    assert page.post("/logout", data={"csrf_token": page.csrf}).status_code == 303
    assert not _works(client, token)


def test_an_admin_ends_every_token_of_a_person(app, engine):
    client = app.test_client()
    clerk, admin = _token(client), _token(client, "admin")
    assert client.delete("/api/v1/auth/staff/admin/tokens", headers=_bearer(clerk)).status_code == 403
    answer = client.delete("/api/v1/auth/staff/clerk1/tokens", headers=_bearer(admin))
    assert answer.status_code == 200 and answer.json == {"ended": 1}
    assert not _works(client, clerk) and _works(client, admin)
    assert client.delete("/api/v1/auth/staff/nobody/tokens", headers=_bearer(admin)).json["field"] == "username"


def test_revoke_all_tokens_ends_them_for_password_change_and_deactivation(app, engine, clock):
    client = app.test_client()
    first, second, other = _token(client), _token(client), _token(client, "clerk2")
    with engine.transaction() as session:
        staff_id = session.scalar(select(Staff.id).where(Staff.username == "clerk1"))
        assert revoke_all_tokens(session, staff_id, clock.now(), reason="password") == 2
    assert not _works(client, first) and not _works(client, second) and _works(client, other)
    with engine.transaction() as session:  # a deactivated account's tokens stop at once, even unrevoked
        session.execute(update(Staff).where(Staff.username == "clerk2").values(active=False))
    assert not _works(client, other)


def test_a_token_cannot_be_replayed_after_the_page_signs_out(app):
    """The README's claim: signing out ends every session of the account, tokens included."""
    client = app.test_client()
    token = _token(client)
    pages = app.test_client()
    csrf = csrf_token_of(pages.get("/login").data)
    pages.post("/login", data={"username": "clerk1", "password": DEMO_PASSWORD, "csrf_token": csrf})
    pages.post("/logout", data={"csrf_token": csrf_token_of(pages.get("/progress/").data)})
    assert client.get("/api/v1/cases?mine=true", headers=_bearer(token)).status_code == 401
