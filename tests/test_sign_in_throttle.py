"""Failed sign-ins slow the source down and never lock the account; unknown and known names answer alike."""

import functools
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import select

from engine.audit.models import AuditEntry
from engine.staff import passwords, throttle
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


class CountingHasher(PasswordHasher):
    """The real argon2id hasher, counting its verifications."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.verified = []

    def verify(self, hash, password):
        self.verified.append(hash.split("$")[3])  # the parameters: m=…,t=…,p=…
        return super().verify(hash, password)


def test_unknown_and_known_names_do_the_same_work(app, monkeypatch):
    """One argon2 verification with the same parameters for a known and an unknown name (an unknown
    one used to skip the hash and answered ~20x faster). The time it takes with the production
    parameters: ``python -m bench.sign_in_timing``."""
    hasher = CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_nobody_hash", functools.cache(lambda: hasher.hash("nobody's")))
    client = app.test_client()
    work = {}
    for username in ("clerk1", "no_such_clerk"):
        hasher.verified.clear()
        assert _try(client, username, "wrong-password", "192.0.2.7").status_code == 422
        work[username] = list(hasher.verified)
    assert work["clerk1"] == work["no_such_clerk"] == ["m=8,t=1,p=1"]
