"""Failed sign-ins slow the source down and never lock the account; unknown and known names answer alike."""

import statistics
import time
from datetime import timedelta

from sqlalchemy import select

from engine.audit.models import AuditEntry
from engine.staff import throttle
from tests.helpers import DEMO_PASSWORD

TOKEN = "/api/v1/auth/token"


def _try(client, username, password, source):
    return client.post(TOKEN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": source})


def test_failures_from_one_source_refuse_it_for_a_doubling_window(app, clock):
    client = app.test_client()
    for _ in range(throttle.PAIR_FREE):
        assert _try(client, "clerk1", "wrong-password", "203.0.113.5").status_code == 422
    refused = _try(client, "clerk1", DEMO_PASSWORD, "203.0.113.5")
    assert refused.status_code == 429 and refused.json["code"] == "too_many_requests"
    assert refused.json["field"] == "username"
    # Refused attempts are not looked at and do not count; each new failure doubles the window.
    windows = []
    for _ in range(4):
        waited = 0
        while _try(client, "clerk1", "wrong-password", "203.0.113.5").status_code == 429:
            clock.advance(timedelta(seconds=30))
            waited += 30
        windows.append(waited)
    assert windows == [60, 120, 240, 480]


def test_a_stranger_never_locks_the_owner_out(app):
    """Five wrong passwords used to lock any account for everyone; now only the stranger's source waits."""
    client = app.test_client()
    for _ in range(3 * throttle.PAIR_FREE):
        _try(client, "clerk1", "wrong-password", "203.0.113.5")
    assert _try(client, "clerk1", DEMO_PASSWORD, "203.0.113.5").status_code == 429
    assert _try(client, "clerk1", DEMO_PASSWORD, "10.0.0.7").status_code == 201


def test_guessing_from_many_sources_holds_them_off_but_lets_the_owner_in_in_bounded_time(app, clock, monkeypatch):
    monkeypatch.setattr(throttle, "ACCOUNT_FREE", 8)  # the rule, not the default's 20 slow password checks
    client = app.test_client()
    for n in range(throttle.ACCOUNT_FREE):
        assert _try(client, "clerk1", "wrong-password", f"198.51.100.{n}").status_code == 422
    # Every source that failed waits, even with the right password (no more one guess per address) …
    assert _try(client, "clerk1", DEMO_PASSWORD, "198.51.100.3").status_code == 429
    # … while the owner at a desk that did not fail signs in at once,
    assert _try(client, "clerk1", DEMO_PASSWORD, "10.0.0.7").status_code == 201
    # and one who mistyped from a failed source waits at most the account's cap.
    for n in range(throttle.ACCOUNT_FREE):
        _try(client, "clerk1", "wrong-password", f"198.51.100.{n}")
    clock.advance(throttle.ACCOUNT_CAP)
    assert _try(client, "clerk1", DEMO_PASSWORD, "198.51.100.3").status_code == 201


def test_attacks_are_audited_and_listed_for_supervisors(app, engine, monkeypatch):
    monkeypatch.setattr(throttle, "ACCOUNT_FREE", 8)
    client = app.test_client()
    for n in range(throttle.ACCOUNT_FREE):
        _try(client, "clerk1", "wrong-password", "203.0.113.5" if n < throttle.PAIR_FREE else f"198.51.100.{n}")
    with engine.session() as session:
        alerts = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("login_throttled", "sign_in_attack")))
                                 .order_by(AuditEntry.id)).all()
    assert [(entry.action, entry.detail.get("source")) for entry in alerts] == [
        ("login_throttled", "203.0.113.5"), ("sign_in_attack", None)]
    supervisor = client.post(TOKEN, json={"username": "supervisor", "password": DEMO_PASSWORD}).json["token"]
    listed = client.get("/api/v1/auth/attacks", headers={"Authorization": f"Bearer {supervisor}"}).json
    assert {(row["username"], row["source"]) for row in listed} == {("clerk1", "203.0.113.5"), ("clerk1", None)}
    clerk = client.post(TOKEN, json={"username": "clerk2", "password": DEMO_PASSWORD}).json["token"]
    assert client.get("/api/v1/auth/attacks", headers={"Authorization": f"Bearer {clerk}"}).status_code == 403


def test_unknown_and_known_names_get_the_same_answers(app):
    client = app.test_client()
    known = [_try(client, "clerk1", "wrong-password", "203.0.113.5") for _ in range(throttle.PAIR_FREE + 1)]
    unknown = [_try(client, "no_such_clerk", "wrong-password", "203.0.113.5") for _ in range(throttle.PAIR_FREE + 1)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [422] * throttle.PAIR_FREE + [429]
    assert [r.json for r in known] == [r.json for r in unknown]


def test_unknown_and_known_names_take_the_same_time(app):
    """Median of 7 tries each, interleaved: within 1.5x either way (an unknown name was ~20x faster)."""
    client = app.test_client()
    _try(client, "no_such_clerk", "wrong-password", "192.0.2.250")  # warm up: the dummy hash, the statements
    _try(client, "clerk1", "wrong-password", "192.0.2.251")
    known, unknown = [], []
    for n in range(7):
        for username, times in (("clerk1", known), ("no_such_clerk", unknown)):
            started = time.perf_counter()
            assert _try(client, username, "wrong-password", f"192.0.2.{n}").status_code == 422
            times.append(time.perf_counter() - started)
    ratio = statistics.median(known) / statistics.median(unknown)
    print(f"sign-in timing: known {statistics.median(known) * 1000:.0f} ms, "
          f"unknown {statistics.median(unknown) * 1000:.0f} ms, ratio {ratio:.2f}")
    assert 1 / 1.5 <= ratio <= 1.5
