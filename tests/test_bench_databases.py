"""The benchmarks' scratch databases: each run its own name, dropped at its end, also on an error."""

import pytest
from sqlalchemy import create_engine, text

from bench.databases import scratch_database
from tests.conftest import PG_ADMIN_URL, PG_TEST_DB


def _databases_named(prefix: str) -> set[str]:
    admin = create_engine(PG_ADMIN_URL)
    try:
        with admin.connect() as connection:
            return set(connection.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                          {"p": f"{prefix}%"}))
    finally:
        admin.dispose()


def test_two_runs_get_their_own_databases_and_each_is_dropped_even_on_error(postgres_url):
    prefix = f"{PG_TEST_DB}_bench"  # this run's own, whatever else runs on the server
    with scratch_database(PG_ADMIN_URL, prefix) as first, scratch_database(PG_ADMIN_URL, prefix) as second:
        assert first != second
        names = _databases_named(prefix)
        assert len(names) == 2 and all(name in first or name in second for name in names)
        engine = create_engine(first)
        with engine.connect() as connection:  # an open connection does not keep it from being dropped
            connection.execute(text("CREATE TABLE t (x int)"))
            with pytest.raises(RuntimeError), scratch_database(PG_ADMIN_URL, prefix):
                raise RuntimeError("the benchmark failed")
            assert _databases_named(prefix) == names
    engine.dispose()
    assert _databases_named(prefix) == set()
