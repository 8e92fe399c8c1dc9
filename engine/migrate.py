"""Schema migrations (Alembic), callable from the CLI, the web app and tests."""

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head_revision() -> str:
    """The newest schema revision this code knows."""
    return _scripts().get_current_head()


def revision_of(db) -> str | None:
    """The schema revision of the database behind SQLAlchemy engine ``db`` (None: never migrated)."""
    with db.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_problem(db) -> str | None:
    """Why this code cannot work on the database behind ``db`` (a missing table or column would
    fail its first request), or None when the schema is this code's."""
    current, head = revision_of(db), head_revision()
    if current == head:
        return None
    if current is not None and current not in {script.revision for script in _scripts().walk_revisions()}:
        return (f"数据库结构版本 {current} 比本程序（{head}）新：请使用迁移它的版本 "
                f"(the database schema {current} is newer than this version's {head}: run the version that migrated it)")
    return (f"数据库结构版本为 {current or '空'}，本程序需要 {head}；请先运行 'onewindow db upgrade' "
            f"(the database schema is at {current or 'no revision'}, this version needs {head}: "
            f"run 'onewindow db upgrade' first)")


def current_revision(url: str) -> str | None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        return revision_of(engine)
    finally:
        engine.dispose()
