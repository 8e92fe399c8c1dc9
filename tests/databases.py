"""A second, empty database next to the test database, of the same kind (SQLite file or PostgreSQL)."""

import contextlib

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL, PG_TEST_DB


@contextlib.contextmanager
def empty_database(db_url: str, tmp_path, suffix: str):
    """Yield the URL of a new empty database; PostgreSQL's ``<test db>_<suffix>`` is dropped afterwards."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / f'{suffix}.sqlite'}"
        return
    name = f"{PG_TEST_DB}_{suffix}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {name}"))
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
