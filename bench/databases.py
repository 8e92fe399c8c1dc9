"""Scratch PostgreSQL databases for the benchmarks: each run gets its own, dropped at its end.

A name is the benchmark's prefix, this process's id and a random token, so two runs on one
PostgreSQL (two benchmarks, a benchmark and the test suite) never share or drop each
other's database. The database is dropped when the run ends, also on an error or Ctrl-C.
"""

import contextlib
import os
import secrets

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def run_database_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"


def postgres_problem(admin_url: str) -> str | None:
    """Why PostgreSQL at ``admin_url`` cannot be used, or None when it can."""
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
        admin.dispose()
    except Exception as error:  # any connection failure means "not available here"
        return f"PostgreSQL not available ({error.__class__.__name__})"
    return None


@contextlib.contextmanager
def scratch_database(admin_url: str, prefix: str):
    """Yield the URL of a new empty database of this run's own; drop it afterwards."""
    name = run_database_name(prefix)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
