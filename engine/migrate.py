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
def head_revision() -> str:
    """The newest schema revision this code knows."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def revision_of(db) -> str | None:
    """The schema revision of the database behind SQLAlchemy engine ``db`` (None: never migrated)."""
    with db.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def current_revision(url: str) -> str | None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        return revision_of(engine)
    finally:
        engine.dispose()
