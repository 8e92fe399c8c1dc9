"""Fixtures: every database test runs on SQLite and on PostgreSQL.

SQLite: a migrated, seeded template file is copied for each test. PostgreSQL: a test
database is migrated and seeded once; each test then empties the case tables, and the
reference data (every other table) is re-seeded only if a test changed it. Without a reachable PostgreSQL
the PostgreSQL runs are skipped, except under CI (``CI`` set), where they fail.
"""

import os
import secrets
import shutil
from datetime import date
from graphlib import TopologicalSorter

import pytest
from argon2 import PasswordHasher
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.clock import SimulatedClock, local_datetime
from engine.db import make_engine
from engine.demo import seed_demo_center
from engine.migrate import upgrade
from engine.runtime import CaseEngine
from engine.staff import passwords

PG_ADMIN_URL = os.environ.get("ONEWINDOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Every run (and each pytest-xdist worker of it) has a database of its own, dropped at its end,
# so two runs on one PostgreSQL never clobber each other. ONEWINDOW_TEST_PG_DB sets the prefix.
# (The token lives in the environment: this module is imported twice, as conftest and tests.conftest.)
RUN_TOKEN = os.environ.setdefault("ONEWINDOW_TEST_RUN", secrets.token_hex(3))
PG_TEST_DB = f"{os.environ.get('ONEWINDOW_TEST_PG_DB', 'onewindow_test')}_{RUN_TOKEN}_{os.getpid()}"
# Every sign-in verifies an argon2id hash. The production profile (64 MiB, 3 passes, about 0.1 s)
# over the suite's thousands of sign-ins cost minutes; in this process the tests keep argon2id with
# its cheapest parameters (servers the browser tests start keep the production profile).
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# Monday 23 November 2026, 09:00 in China: a plain working week.
START = local_datetime(date(2026, 11, 23), 9, 0)
CASE_TABLES = ("ledger_entry", "lease", "workflow_task", "workflow_state", "human_task", "audit_entry", "audit_chain",
               "service_case", "case_counter", "rectification", "rating_contest", "case_rating", "complaint", "complaint_counter",
               "post_absence", "clock_suspension", "case_extension", "joint_opinion", "case_commitment", "postal_parcel",
               "api_token", "sign_in_failure", "idempotency_key", "chief_authorisation", "staff_rule_override",
               "decision_document", "document_counter", "refusal_record",
               "ledger_department_entry", "leave_request", "attendance_record", "attendance_day",
               "attendance_hours", "outbox_delivery", "outbox_event", "enquiry_referral", "enquiry",
               "enquiry_counter", "appointment",
               "service_token", "pre_application", "service_account")
def _seed(url: str) -> None:
    upgrade(url)
    engine = CaseEngine(url, clock=SimulatedClock(START))
    try:
        seed_demo_center(engine)
    finally:
        engine.db.dispose()


def _pg_url(database: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def _postgres_available() -> str | None:
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
        admin.dispose()
        return None
    except Exception as error:  # any connection failure means "not available here"
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {error.__class__.__name__}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    url = f"sqlite:///{path}"
    _seed(url)
    return path


@pytest.fixture(scope="session")
def postgres_database():
    problem = _postgres_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; PostgreSQL tests must run in CI")
        pytest.skip(problem)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {PG_TEST_DB} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {PG_TEST_DB}"))
    admin.dispose()
    url = _pg_url(PG_TEST_DB)
    _seed(url)
    checker = create_engine(url)
    with checker.connect() as connection:
        reset, case_tables = _case_reset_script(connection)
        fingerprint_query = _reference_fingerprint_query(connection, case_tables)
        fingerprint = connection.execute(fingerprint_query).all()
    # The `engine` fixture's SQLAlchemy engine, shared by the tests: a new one per test compiled
    # every statement and set up its dialect again (each test still disposes of its connections).
    shared = make_engine(url)
    yield {"url": url, "fingerprint": fingerprint, "fingerprint_query": fingerprint_query, "checker": checker,
           "reset": reset, "shared": shared}
    shared.dispose()
    checker.dispose()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {PG_TEST_DB} WITH (FORCE)"))
    admin.dispose()


def _case_reset_script(connection) -> tuple[str, set[str]]:
    """DELETE the case tables (and every table whose rows point into them), children first, and
    restart their sequences: for the few rows a test writes this costs about 20 ms where
    TRUNCATE of some forty tables costs 250-500 ms per test."""
    references = connection.execute(text(
        "SELECT child.relname, parent.relname FROM pg_constraint c"
        " JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid"
        " WHERE c.contype = 'f' AND child.relname <> parent.relname")).all()
    tables, grew = set(CASE_TABLES), True
    while grew:  # what TRUNCATE … CASCADE would reach
        reached = {child for child, parent in references if parent in tables}
        grew = not reached <= tables
        tables |= reached
    graph = {table: {child for child, parent in references if parent == table and child in tables}
             for table in tables}
    children_first = list(TopologicalSorter(graph).static_order())
    sequences = connection.execute(text(
        "SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid"
        " JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S' AND t.relname = ANY(:tables)"),
        {"tables": sorted(tables)}).scalars().all()
    script = ("".join(f"DELETE FROM {table};" for table in children_first)
              + "".join(f"ALTER SEQUENCE {sequence} RESTART;" for sequence in sorted(sequences)))
    return script, tables


def _reference_fingerprint_query(connection, case_tables: set[str]):
    """Each reference table's row count and the sum of its rows' hashes: every table the reset
    leaves alone, found in the catalogue, so a test changing any row of any of them is seen
    (about 4 ms; a fixed list of columns missed tables and columns added later)."""
    tables = connection.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        " AND NOT tablename = ANY(:case_tables) ORDER BY tablename"), {"case_tables": sorted(case_tables)}).scalars()
    return text(" UNION ALL ".join(
        f"SELECT '{table}', count(*), sum(hashtext(t::text)::bigint) FROM {table} t" for table in tables) + " ORDER BY 1")


def _reset_postgres(database) -> None:
    checker = database["checker"]
    with checker.begin() as connection:
        connection.exec_driver_sql(database["reset"])
        fingerprint = connection.execute(database["fingerprint_query"]).all()
    if fingerprint != database["fingerprint"]:
        with checker.begin() as connection:
            tables = connection.execute(text(
                "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'alembic_version'")).scalar_one()
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine = CaseEngine(database["url"], clock=SimulatedClock(START))
        try:
            seed_demo_center(engine)
        finally:
            engine.db.dispose()
        # The seed's password hashes have new salts: the next test is compared with this seed.
        with checker.connect() as connection:
            database["fingerprint"] = connection.execute(database["fingerprint_query"]).all()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "onewindow.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    database = request.getfixturevalue("postgres_database")
    _reset_postgres(database)
    return database["url"]


@pytest.fixture
def postgres_url(request):
    """Only PostgreSQL: for races that need real row locks."""
    database = request.getfixturevalue("postgres_database")
    _reset_postgres(database)
    return database["url"]


@pytest.fixture(scope="module")
def calendar(sqlite_template):
    """The seeded working-day calendar (statutory holidays, make-up working days), read once per module."""
    engine = CaseEngine(f"sqlite:///{sqlite_template}", clock=SimulatedClock(START))
    try:
        yield engine.calendar.get()
    finally:
        engine.db.dispose()


@pytest.fixture
def clock():
    return SimulatedClock(START)


@pytest.fixture
def engine(request, db_url, clock):
    database = request.getfixturevalue("postgres_database")["shared"] if db_url.startswith("postgresql") else db_url
    case_engine = CaseEngine(database, clock=clock)
    yield case_engine
    case_engine.db.dispose()


def actors(engine) -> dict:
    """Actors of the demo center by username."""
    from engine.demo import demo_staff
    from engine.staff.service import get_actor

    with engine.session() as session:
        return {username: get_actor(session, username) for username, *_ in demo_staff()}


@pytest.fixture
def staff(engine):
    return actors(engine)


class CompiledTemplates(BytecodeCache):
    """The templates' compiled code, kept in memory for the whole run. Every test builds a new app,
    whose new Jinja environment would compile each template it renders again (about 100 ms of a web
    test); the apps are configured alike, and a changed template source misses (Jinja checks its hash)."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


@pytest.fixture
def app(db_url, clock):
    """The web app on the test database and the simulated clock (CSRF on, as in production)."""
    from datetime import timedelta

    from engine.settings import EngineSettings
    from engine.staff.tokens import TokenPolicy
    from web import create_app

    # Tests move the simulated clock by days while a token client works on: its tokens outlive
    # the test (tests/test_web_tokens.py checks the real lifetimes).
    long_lived = TokenPolicy(idle=timedelta(days=3650), lifetime=timedelta(days=3650))
    application = create_app({"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": False},
                             settings=EngineSettings(database_url=db_url, tokens=long_lived), clock=clock)
    application.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    yield application
    application.extensions["onewindow"].db.dispose()


@pytest.fixture
def sign_in(app):
    """``sign_in("clerk1")``: a test client signed in as that demo account, with ``.csrf`` for posts."""
    from tests.helpers import signed_in_client

    return lambda username: signed_in_client(app, username)


@pytest.fixture
def receiver():
    """A real local HTTP receiver (webhooks, the SMS gateway), closed after the test."""
    from tests.counterparts import Receiver

    server = Receiver()
    yield server
    server.close()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()
