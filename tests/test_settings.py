"""Engine settings from the environment without Flask; the web's own settings on top; one
SQLAlchemy engine per CaseEngine, configured once."""

from decimal import Decimal

import pytest
from sqlalchemy import event, text

import engine.db
from engine.migrate import upgrade
from engine.runtime import CaseEngine
from engine.settings import EngineSettings, SettingsError
from web import create_app

WEB_TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": False}


def test_engine_settings_are_read_from_onewindow_variables():
    settings = EngineSettings.from_environment({
        "ONEWINDOW_DATABASE_URL": "sqlite:///x.sqlite", "ONEWINDOW_CASE_NUMBER_PREFIX": "SZ",
        "ONEWINDOW_CENTER_NAME": "某市政务服务中心", "ONEWINDOW_WORKFLOW_CACHE_SIZE": "8",
        "ONEWINDOW_WARNING_DAYS_LEFT": "3", "ONEWINDOW_WARNING_USED_SHARE": "0.7", "ONEWINDOW_GRADE_EXCELLENT": "95",
        "ONEWINDOW_EXCELLENT_SHARE": "0.2", "ONEWINDOW_ALLOWANCE_PER_POINT": "4"})
    assert (settings.database_url, settings.case_number_prefix, settings.center_name, settings.workflow_cache_size) \
        == ("sqlite:///x.sqlite", "SZ", "某市政务服务中心", 8)
    assert (settings.warnings.days_left, settings.warnings.used_share) == (3, 0.7)
    assert settings.scoring.grades[0][1] == Decimal(95) and settings.scoring.excellent_share == Decimal("0.2")
    assert settings.scoring.allowance_per_point == Decimal(4) and settings.scoring.allowance_per_month == Decimal(100)
    engine = settings.open_engine()
    try:
        assert (engine.case_number_prefix, engine.warnings, engine.ledger.policy) \
            == ("SZ", settings.warnings, settings.scoring)
    finally:
        engine.db.dispose()


def test_without_variables_the_embedded_defaults_apply():
    settings = EngineSettings.from_environment({})
    assert settings.mode == "development" and settings.case_number_prefix == "ZW"
    assert settings.database_url == f"sqlite:///{settings.instance_folder / 'onewindow.sqlite'}"
    assert settings.center_name == "示范市政务服务中心" and settings.warnings.days_left == 2


@pytest.mark.parametrize("environment, message", [
    ({"ONEWINDOW_CONFIG": "production"}, "production needs ONEWINDOW_DATABASE_URL"),
    ({"ONEWINDOW_CONFIG": "staging"}, "ONEWINDOW_CONFIG='staging' is not one of development, production, testing"),
    ({"ONEWINDOW_WORKFLOW_CACHE_SIZE": "many"}, "ONEWINDOW_WORKFLOW_CACHE_SIZE='many' is not a whole number"),
    ({"ONEWINDOW_GRADE_BASIC": "sixty"}, "ONEWINDOW_GRADE_BASIC='sixty' is not a number"),
    ({"ONEWINDOW_WARNING_USED_SHARE": "1.5"}, "ONEWINDOW_WARNING_*: used_share must be above 0 and at most 1"),
    ({"ONEWINDOW_GRADE_COMPETENT": "95"}, "grade thresholds must fall from the best grade down"),
])
def test_a_bad_or_missing_setting_is_refused_naming_its_variable(environment, message):
    with pytest.raises(SettingsError, match=message.replace("*", r"\*")):
        EngineSettings.from_environment(environment)


def test_production_refuses_a_missing_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("ONEWINDOW_CONFIG", "production")
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    upgrade(f"sqlite:///{tmp_path / 'prod.sqlite'}")
    monkeypatch.delenv("ONEWINDOW_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="production needs ONEWINDOW_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("ONEWINDOW_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    app = create_app()
    try:
        assert app.config["SECRET_KEY"] == "a-real-secret" and app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        app.extensions["onewindow"].db.dispose()


def test_the_app_does_not_start_on_a_schema_it_does_not_match_but_starts_while_the_database_is_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    with pytest.raises(RuntimeError, match="this version needs .*: run 'onewindow db upgrade' first"):
        create_app(WEB_TEST_CONFIG, settings=EngineSettings(database_url=url))
    upgrade(url)
    create_app(WEB_TEST_CONFIG, settings=EngineSettings(database_url=url)).extensions["onewindow"].db.dispose()
    # Nothing listens on port 1: the app starts and answers 503 until the database is back.
    away = create_app(WEB_TEST_CONFIG, settings=EngineSettings(
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/onewindow?connect_timeout=2"))
    answer = away.test_client().post("/api/v1/auth/token", json={"username": "clerk1", "password": "x"})
    assert answer.status_code == 503 and answer.json["code"] == "database_unavailable", answer.json


def test_the_app_takes_the_engine_settings_and_refuses_them_in_its_own_config(db_url, clock):
    settings = EngineSettings(database_url=db_url, center_name="某市政务服务中心", case_number_prefix="SZ")
    app = create_app(WEB_TEST_CONFIG, settings=settings, clock=clock)
    try:
        assert "某市政务服务中心" in app.test_client().get("/login").data.decode()
        assert app.extensions["onewindow"].case_number_prefix == "SZ"
        assert app.extensions["onewindow"].clock is clock
    finally:
        app.extensions["onewindow"].db.dispose()
    with pytest.raises(ValueError, match="DATABASE_URL: engine settings go in settings="):
        create_app({**WEB_TEST_CONFIG, "DATABASE_URL": db_url})


def _statements(engine, work) -> list[str]:
    seen = []

    def record(_connection, _cursor, statement, *_):
        seen.append(statement)
    event.listen(engine.db, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine.db, "before_cursor_execute", record)
    return seen


def test_each_sqlite_engine_is_configured_once(tmp_path, monkeypatch, sqlite_template):
    configured = []
    real = engine.db._configure_sqlite
    monkeypatch.setattr(engine.db, "_configure_sqlite", lambda made: (configured.append(made), real(made)))
    url = f"sqlite:///{sqlite_template}"
    case_engine = CaseEngine(url)
    app = create_app(WEB_TEST_CONFIG, settings=EngineSettings(database_url=url))
    engines = [case_engine, app.extensions["onewindow"]]
    try:
        assert configured == [case_engine.db, engines[1].db]
        for each in engines:
            each.calendar.get()  # read now, so the transaction below holds only its own statements

            def write(each=each):
                with each.transaction() as session:
                    session.execute(text("SELECT 1"))
            assert [s for s in _statements(each, write) if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE"]
    finally:
        for each in engines:
            each.db.dispose()
