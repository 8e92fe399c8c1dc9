"""The HTTP load benchmark runs end to end: its tables come out, and no answer is a 5xx.

Two seconds of load on a scratch PostgreSQL database of its own (bench/databases.py), with
gunicorn in the production configuration; the figures are not checked (the machine's load
decides them), their structure is. In this process passwords hash with the tests' cheap
argon2 parameters (tests/conftest.py), which the server's verification reads from the hash.
"""

import os
import re

import pytest

from bench import http_load
from bench.databases import postgres_problem
from tests.conftest import PG_ADMIN_URL


def test_a_short_mixed_load_prints_every_table_and_no_5xx(capsys):
    problem = postgres_problem(PG_ADMIN_URL)
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    code = http_load.main(["--duration", "1.5", "--warmup", "0.5", "--users", "3", "--workers", "1",
                           "--rounds", "1", "--repeat", "1", "--postgres", PG_ADMIN_URL])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "3 users (1 clerk, 1 approver, 1 supervisor)" in printed
    for kind in ("inbox", "all requests"):  # an approver polls the inbox all along; others may not finish in time
        assert re.search(rf"^{kind} +\d+ +\d+ +[\d.]+ +[\d.]+ +[\d.]+ ", printed, re.M), kind
    assert re.search(r"requests/s [\d.]+; ok task completions/s [\d.]+", printed)
    assert re.search(r"server CPU \(gunicorn workers\): [\d.]+ ms per request", printed)
    assert re.search(r"load generator CPU: [\d.]+ ms per request", printed)
    for kind in (r"trivial Flask \(floor\)", "pgbench write", "me", "inbox", "claim", r"complete \(review\)",
                 r"complete \(window\)", "create application", "board summary"):
        assert re.search(rf"^{kind} +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+$", printed, re.M), kind
    assert "5xx or unanswered requests: 0" in printed
    assert "gunicorn.log: 0 error lines" in printed
