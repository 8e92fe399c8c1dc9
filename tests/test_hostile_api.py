"""Hostile input against the whole JSON API: schemathesis generates requests from the app's
own OpenAPI document, for every operation and as every role, on SQLite and PostgreSQL.

No response may be a 5xx, and every documented response must match its schema. The CI run
is bounded; ``ONEWINDOW_FUZZ_EXAMPLES`` raises the number of examples per operation.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import actors
from tests.helpers import DEMO_PASSWORD, intake, person

EXAMPLES = int(os.environ.get("ONEWINDOW_FUZZ_EXAMPLES", "8"))
ACCOUNTS = ("clerk1", "scjg_approver1", "scjg_chief", "supervisor", "admin")


@pytest.fixture(params=ACCOUNTS)
def fuzz_target(request, app, engine):
    """The app with a few real cases to find, and a bearer token for one role."""
    clerk = actors(engine)["clerk1"]
    for missing in (0, 1):
        engine.create_case(clerk, "SCJG-002", person(), intake(engine, "SCJG-002", missing=missing))
    token = app.test_client().post("/api/v1/auth/token",
                                   json={"username": request.param, "password": DEMO_PASSWORD}).json["token"]
    return app, {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def drawn_requests():
    """Each operation's generated requests, drawn once per worker and sent for every role and
    database: the draw is derandomized, so every run would draw these very requests again, and
    drawing was a third of the test's time."""
    drawn = {}

    def requests_for(operation):
        if operation.label not in drawn:
            cases = []

            @given(operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def draw(case):
                cases.append(case)
            draw()
            drawn[operation.label] = cases
        return drawn[operation.label]
    return requests_for


def test_no_request_breaks_the_api(fuzz_target, drawn_requests):
    app, headers = fuzz_target
    operations = [result.ok() for result in schemathesis.openapi.from_wsgi("/api/openapi.json", app)
                  .get_all_operations()]
    assert len(operations) > 20
    # Ending tokens signs the fuzzer out for whatever follows (401 from then on): those go last.
    operations.sort(key=lambda operation: operation.label.startswith("DELETE /api/v1/auth/"))

    calls = []
    for operation in operations:
        for case in drawn_requests(operation):
            # Business rules refuse some schema-valid requests (an ID number's check digit,
            # someone else's task): a 4xx there is right, so positive_data_acceptance is off.
            # The request may have been drawn from another test's app: it goes to this one.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance], app=app)
            calls.append(case.operation.label)
    assert len(set(calls)) == len(operations)  # every operation was really called
    print(f"schemathesis: {len(calls)} requests over {len(operations)} operations, no 5xx, no schema violation")


def test_a_nul_character_anywhere_is_refused_naming_the_field(app, engine):
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "username\x00", "password": "x"})
    assert (token.status_code, token.json["field"]) == (400, "username")
    nested = client.post("/api/v1/cases", json={"number": "ZW1", "extra": {"list": ["ok", "bad\x00"]}})
    assert (nested.status_code, nested.json["field"]) == (400, "extra.list.1")
    query = client.get("/api/v1/cases?q=ZW%00")
    assert (query.status_code, query.json["field"]) == (400, "q")


def test_an_id_beyond_any_column_is_refused_not_overflowed(app, engine):
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "supervisor", "password": DEMO_PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    huge = 2**63
    appeal = client.post(f"/api/v1/ledger/entries/{huge}/appeal", json={"reason": "x"}, headers=headers)
    assert appeal.status_code in (404, 422) and appeal.json["field"] == "entry_id"
    listed = client.get(f"/api/v1/ledger/entries?staff_id={huge}", headers=headers)
    assert listed.status_code == 422 and listed.json["field"] == "staff_id"


def test_a_method_not_allowed_names_the_allowed_ones(app, engine):
    """RFC 9110: a 405 carries Allow (the outside attack's schemathesis run found it missing)."""
    client = app.test_client()
    answer = client.open("/api/v1/tasks/1/claim", method="TRACE")
    assert answer.status_code == 405 and answer.json["code"] == "method_not_allowed"
    assert set(answer.headers["Allow"].split(", ")) >= {"POST"}
    page = client.open("/login", method="PUT")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]
