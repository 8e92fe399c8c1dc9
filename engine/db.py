"""Database plumbing shared by every domain: declarative base, types, engines, sessions.

SQLite is the embedded default and PostgreSQL the production database. On SQLite a write
transaction starts with ``BEGIN IMMEDIATE`` so two writers queue on the database lock
instead of failing half-way at their first write; on PostgreSQL case rows are locked with
``SELECT ... FOR UPDATE``. Writers use :func:`make_session_factory` with ``write=True``.
"""

import contextlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _engine_options(url: str) -> dict:
    """Options for ``create_engine``."""
    if is_sqlite(url):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # Ping on checkout: after PostgreSQL restarts, every pooled connection is dead, and without
    # the ping each one failed the first request that took it. The ping costs one round trip
    # per checkout (lost in the noise of docs/reliability.md's measurement); recycling still
    # bounds a connection's age.
    return {"pool_pre_ping": True, "pool_recycle": 1800}


def make_engine(url: str, **kwargs) -> Engine:
    """An SQLAlchemy engine configured for this application's transaction discipline."""
    if is_sqlite(url):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **{**_engine_options(url), **kwargs})
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """Attach the SQLite pragmas and BEGIN IMMEDIATE handling, once, as the engine is made."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(_WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_WRITE_OPTION = "onewindow_write"


def make_session_factory(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """Sessions for writing (one transaction each) or for reading.

    On PostgreSQL reads run in autocommit: a query needs no BEGIN/ROLLBACK round trips,
    and every statement still sees only committed data.
    """
    if write:
        bind = engine.execution_options(**{_WRITE_OPTION: True})
    elif engine.dialect.name == "postgresql":
        bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    else:
        bind = engine
    return sessionmaker(bind=bind, expire_on_commit=False)


@contextlib.contextmanager
def transaction(session_factory: sessionmaker[Session]):
    """One unit of work: everything inside commits together or not at all."""
    session = session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def utcnow() -> datetime:
    return datetime.now(UTC)


def per_dialect(build) -> dict:
    """``build(insert)`` for each supported dialect's INSERT (ON CONFLICT is dialect-specific), by dialect name."""
    return {"postgresql": build(postgresql.insert), "sqlite": build(sqlite.insert)}
