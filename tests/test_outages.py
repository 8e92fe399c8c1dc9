"""Database outages (issue 13, point 8): a clear 503 (507 for a full disk) with Retry-After while
the database is away, no failed request once it is back, and the process stays up."""

import logging

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from engine.settings import EngineSettings
from tests.helpers import DEMO_PASSWORD, csrf_token_of, intake, person, signed_in_client, token_client
from web import create_app

FOOD = "SCJG-002"
APP_NAME = "onewindow_outage_test"


def _app(url, clock):
    return create_app({"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": False},
                      settings=EngineSettings(database_url=url), clock=clock)


def test_after_the_backends_are_killed_the_next_request_succeeds(postgres_url, clock):
    # The app's own connections are found by their application name: the test database's
    # other users (the fixtures' checker) keep theirs.
    url = make_url(postgres_url).update_query_dict({"application_name": APP_NAME}).render_as_string(
        hide_password=False)
    app = _app(url, clock)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        clerk = token_client(app, "clerk1")
        assert clerk.get("/api/v1/cases?mine=true").status_code == 200
        body = {"item_code": FOOD, "applicant": person(), "intake": intake(app.extensions["onewindow"], FOOD)}
        assert clerk.post("/api/v1/cases", json=body).status_code == 201
        for _restart in range(3):
            with admin.connect() as connection:
                killed = connection.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = :name AND datname = current_database()"), {"name": APP_NAME}).scalar()
            assert killed >= 1
            # Every pooled connection is dead now; each request must still succeed, reads and writes.
            assert clerk.get("/api/v1/cases?mine=true").status_code == 200
            assert clerk.post("/api/v1/cases", json=body).status_code == 201
            assert clerk.get("/cases/").status_code in (200, 401)  # a page: the token is for the API only
    finally:
        admin.dispose()
        app.extensions["onewindow"].db.dispose()


def test_an_unreachable_database_answers_503_with_a_clear_message(clock, caplog):
    # Nothing listens on port 1: every connection is refused, as while PostgreSQL restarts.
    app = _app("postgresql+psycopg://onewindow@127.0.0.1:1/onewindow", clock)
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="web.failures"):
        api = client.post("/api/v1/auth/token", json={"username": "clerk1", "password": DEMO_PASSWORD})
    assert api.status_code == 503 and api.headers["Retry-After"] == "15"
    assert api.get_json() == {"code": "database_unavailable", "message": "数据库暂时无法连接，请稍后重试"}
    assert "127.0.0.1" in caplog.text  # the detail is in the log, not in the answer
    english = client.post("/api/v1/auth/token", json={"username": "clerk1", "password": DEMO_PASSWORD},
                          headers={"Accept-Language": "en"})
    assert english.status_code == 503 and "try again" in english.get_json()["message"]
    csrf = csrf_token_of(client.get("/login").data)
    page = client.post("/login", data={"username": "clerk1", "password": DEMO_PASSWORD, "csrf_token": csrf})
    assert page.status_code == 503 and page.headers["Retry-After"] == "15"
    assert "数据库暂时无法连接，请稍后重试" in page.data.decode() and "Traceback" not in page.data.decode()
    app.extensions["onewindow"].db.dispose()


def _limit_sqlite(app, pragma):
    """Every new connection of the app's engine runs ``pragma(connection)`` (its pool emptied first)."""
    database = app.extensions["onewindow"].db
    database.dispose()

    @event.listens_for(database, "connect")
    def _limit(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(pragma(cursor))
        cursor.close()


def test_a_full_or_read_only_sqlite_file_gives_a_clear_answer_and_the_process_stays_up(tmp_path, sqlite_template,
                                                                                       clock):
    import shutil

    for kind, pragma, status, code in (
            ("full", lambda cursor: f"PRAGMA max_page_count = {cursor.execute('PRAGMA page_count').fetchone()[0]}",
             507, "database_full"),
            ("read-only", lambda _cursor: "PRAGMA query_only = ON", 503, "database_read_only")):
        path = tmp_path / f"{kind}.sqlite"
        shutil.copyfile(sqlite_template, path)
        app = _app(f"sqlite:///{path}", clock)
        clerk = signed_in_client(app, "clerk1")
        _limit_sqlite(app, pragma)
        body = {"item_code": FOOD, "applicant": person(), "intake": intake(app.extensions["onewindow"], FOOD)}
        refused = clerk.post("/api/v1/cases", json=body, headers={"X-CSRFToken": clerk.csrf})
        assert refused.status_code == status and refused.get_json()["code"] == code, kind
        assert "系统管理员" in refused.get_json()["message"]
        # Still up: the same process goes on answering reads.
        assert clerk.get("/api/v1/cases?mine=true").status_code == 200
        app.extensions["onewindow"].db.dispose()
