"""What every `onewindow` command shares: the engine settings, one CaseEngine per command, and
refusals as one-line errors. No Flask here: only `onewindow serve` builds the web app."""

import functools

import click
from sqlalchemy.exc import InterfaceError, OperationalError

from engine.errors import OneWindowError
from engine.migrate import schema_problem
from engine.runtime import CaseEngine
from engine.settings import EngineSettings, SettingsError
from engine.staff.service import get_actor

_SETTINGS, _ENGINE = "onewindow.settings", "onewindow.engine"


def settings() -> EngineSettings:
    """The engine settings from the environment, read once per command line."""
    meta = click.get_current_context().meta
    if _SETTINGS not in meta:
        try:
            meta[_SETTINGS] = EngineSettings.from_environment()
        except SettingsError as error:
            raise click.ClickException(str(error)) from None
    return meta[_SETTINGS]


def case_engine() -> CaseEngine:
    """The command's CaseEngine on the configured database, disposed when the command ends."""
    context = click.get_current_context()
    if _ENGINE not in context.meta:
        engine = settings().open_engine()
        context.find_root().call_on_close(engine.db.dispose)
        _refuse_old_schema(engine.db)
        context.meta[_ENGINE] = engine
    return context.meta[_ENGINE]


def acting(username: str):
    """The person a command acts as (its ``--user``); an unknown name is a one-line error."""
    with case_engine().session() as session:
        return get_actor(session, username)


def _refuse_old_schema(db) -> None:
    """A command on a database not yet (or not fully) migrated would fail on a missing table."""
    try:
        problem = schema_problem(db)
    except (OperationalError, InterfaceError) as error:  # the command's first touch of the database
        raise _database_failed(error) from None
    if problem:
        raise click.ClickException(problem)


def fail_clearly(function):
    """Turn refused actions into a one-line error and exit status 1, never a traceback."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OneWindowError as error:
            raise click.ClickException(error.message) from None
        except (OperationalError, InterfaceError) as error:
            raise _database_failed(error) from None
    return wrapper


def _database_failed(error) -> click.ClickException:
    reason = " ".join(str(error.orig or error).split())
    return click.ClickException(f"数据库无法连接或出错 (the database could not be reached or failed): {reason}")
