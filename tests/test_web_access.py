"""The role x endpoint matrix: every guarded page and API call refuses every other role with 403.

The matrix is built from the application itself (each view's ``require`` roles), so a new
endpoint is covered the day it is added.
"""

import uuid

import pytest

from engine.roles import ROLES

# One demo account per role.
ACCOUNTS = {"clerk": "clerk1", "approver": "scjg_approver1", "chief": "scjg_chief", "supervisor": "supervisor",
            "admin": "admin", "director": "director"}
SAMPLE_VALUES = {"integer": 1, "string": "ZW2026112300001", "default": "ZW2026112300001", "path": "x", "uuid": uuid.uuid4()}


def _guarded_routes(app):
    """(rule, method, required roles) of every view behind ``require``."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if roles is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule, method, roles))
    return routes


def _url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        values[name] = SAMPLE_VALUES.get("uuid" if "task" in name else kind, SAMPLE_VALUES["default"])
    return rule.build(values, append_unknown=False)[1]


def test_the_matrix_covers_every_area(app):
    prefixes = {rule.rule.split("/")[1] if not rule.rule.startswith("/api/") else rule.rule.split("/")[3]
                for rule, _, _ in _guarded_routes(app)}
    assert {"cases", "tasks", "board", "ledger"} <= prefixes


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_forbidden_role_gets_403(app, sign_in, role):
    assert set(ACCOUNTS) == set(ROLES)
    client = sign_in(ACCOUNTS[role])
    checked = 0
    for rule, method, roles in _guarded_routes(app):
        if not roles or role in roles:
            continue
        response = client.open(_url(rule), method=method, headers={"X-CSRFToken": client.csrf},
                               json={} if rule.rule.startswith("/api/") and method != "GET" else None,
                               data=None if rule.rule.startswith("/api/") else {"csrf_token": client.csrf})
        assert response.status_code == 403, f"{role} {method} {rule.rule} -> {response.status_code}"
        checked += 1
    assert checked > 0 or role in ("supervisor", "admin")
    print(f"role matrix: {role}: {checked} forbidden role x endpoint combinations refused with 403")


def test_signed_out_requests_are_refused(app):
    client = app.test_client()
    for rule, method, _roles in _guarded_routes(app):
        response = client.open(_url(rule), method=method, json={} if method != "GET" else None)
        if rule.rule.startswith("/api/"):
            assert response.status_code in (400, 401), f"{method} {rule.rule} -> {response.status_code}"
        else:
            assert response.status_code in (302, 303, 400), f"{method} {rule.rule} -> {response.status_code}"
