"""Backing up the whole database to one file, and restoring it into an empty database.

SQLite: the sqlite3 online backup API copies one consistent snapshot while the server keeps
running (in WAL mode writers are not blocked). PostgreSQL: ``pg_dump`` in its custom format,
restored by ``pg_restore`` in a single transaction. Passwords reach the tools through
``PGPASSWORD``, never the command line, which every user of the machine can read.

A backup never overwrites a file, and a restore only goes into an empty database: both are
made to be run by a tired operator at night without losing anything.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from engine.db import is_sqlite
from engine.errors import OneWindowError
from engine.migrate import MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(OneWindowError):
    code = "backup"


@dataclass(frozen=True)
class DatabaseSummary:
    revision: str | None
    cases: int
    audit_entries: int

    @property
    def schema_is_current(self) -> bool:
        return self.revision == ScriptDirectory(str(MIGRATIONS)).get_current_head()

    def describe(self) -> str:
        return f"schema {self.revision}, {self.cases} cases, {self.audit_entries} audit entries"


def backup(url: str, target: Path) -> DatabaseSummary:
    """Copy the database at ``url`` into the new file ``target``; returns what it holds."""
    if target.exists():
        raise BackupError(f"{target} 已存在：备份从不覆盖文件，请另取文件名 "
                          f"({target} already exists: a backup never overwrites a file, choose a new name)")
    if not target.parent.is_dir():
        raise BackupError(f"文件夹 {target.parent} 不存在 (folder {target.parent} does not exist)")
    summary = summarize(url)
    partial = target.with_name(target.name + ".partial")
    try:
        if is_sqlite(url):
            _sqlite_copy(_sqlite_path(url, must_exist=True), partial, journal_mode="DELETE")
        else:
            _run_pg_tool("pg_dump", url, ["--format=custom", f"--file={partial}"])
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return summary


def restore(url: str, source: Path) -> DatabaseSummary:
    """Restore the backup ``source`` into the empty database at ``url``; returns what it now holds."""
    if not source.is_file():
        raise BackupError(f"没有备份文件 {source} (no backup file {source})")
    with source.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if is_sqlite(url):
        if header.startswith(PG_DUMP_HEADER):
            raise BackupError(f"{source} 是 PostgreSQL 备份：请用 --database 恢复到 PostgreSQL 数据库 "
                              f"({source} is a PostgreSQL dump: restore it into a PostgreSQL database with --database)")
        if header != SQLITE_HEADER:
            raise BackupError(f"{source} 不是一窗通办的备份文件，既非 SQLite 也非 pg_dump 自定义格式 "
                              f"({source} is not a OneWindow backup: neither SQLite nor pg_dump custom format)")
        _require_onewindow_sqlite(source)
        _require_empty(url)
        path = _sqlite_path(url, must_exist=False)
        partial = path.with_name(path.name + ".partial")
        try:
            _sqlite_copy(source, partial, journal_mode="WAL")
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    else:
        if header == SQLITE_HEADER:
            raise BackupError(f"{source} 是 SQLite 备份：请用 --database 恢复到 SQLite 数据库 "
                              f"({source} is an SQLite backup: restore it into an SQLite database with --database)")
        if not header.startswith(PG_DUMP_HEADER):
            raise BackupError(f"{source} 不是一窗通办的备份文件，既非 SQLite 也非 pg_dump 自定义格式 "
                              f"({source} is not a OneWindow backup: neither SQLite nor pg_dump custom format)")
        if "TABLE public alembic_version" not in _run_pg_tool("pg_restore", None, ["--list", str(source)]):
            raise BackupError(f"{source} 是 PostgreSQL 备份，但不是一窗通办数据库的备份 "
                              f"({source} is a PostgreSQL dump but not of a OneWindow database)")
        _require_empty(url)
        _run_pg_tool("pg_restore", url, ["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
                                         str(source)])
    return summarize(url)


def summarize(url: str) -> DatabaseSummary:
    """Schema revision and size of the OneWindow database at ``url``."""
    if is_sqlite(url):
        _sqlite_path(url, must_exist=True)
    with _connect(url) as connection:
        if not inspect(connection).has_table("alembic_version"):
            raise BackupError(f"{_safe(url)} 不是一窗通办数据库：没有结构版本 "
                              f"({_safe(url)} is not a OneWindow database: no schema version)")
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        cases = connection.execute(text("SELECT count(*) FROM service_case")).scalar_one()
        entries = connection.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
    return DatabaseSummary(revision, cases, entries)


@contextlib.contextmanager
def _connect(url: str):
    """A single short-lived connection; any database failure becomes a clear BackupError."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise BackupError(f"无法读取 {_safe(url)}：{reason} (cannot read {_safe(url)}: {reason})") from None
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _require_empty(url: str) -> None:
    if is_sqlite(url):
        path = _sqlite_path(url, must_exist=False)
        if not path.exists() or path.stat().st_size == 0:
            return
    with _connect(url) as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        raise BackupError(f"{_safe(url)} 不是空库，已有 {len(tables)} 张表：只能恢复到新建的空数据库，以免覆盖其中数据 "
                          f"({_safe(url)} is not empty, {len(tables)} tables: restore only into a new, empty "
                          "database, so that nothing in it is overwritten)")


def _sqlite_path(url: str, *, must_exist: bool) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复 (an in-memory SQLite database cannot be backed up or restored)")
    path = Path(database)
    if must_exist and not path.is_file():
        raise BackupError(f"{path} 处没有 SQLite 数据库 (no SQLite database at {path})")
    if not path.parent.is_dir():
        raise BackupError(f"文件夹 {path.parent} 不存在 (folder {path.parent} does not exist)")
    return path


def _require_onewindow_sqlite(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} 不是可读取的 SQLite 数据库：{error} ({path} is not a readable SQLite database: {error})") from None
    finally:
        connection.close()
    if not found:
        raise BackupError(f"{path} 是 SQLite 文件，但不是一窗通办的备份 ({path} is an SQLite file but not a OneWindow backup)")


def _sqlite_copy(source: Path, target: Path, *, journal_mode: str) -> None:
    """One consistent snapshot of ``source`` (read while others may write) into the new file ``target``."""
    reader = sqlite3.connect(source, timeout=30)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)  # all pages in one step: a single snapshot, never restarted by writers
        writer.execute(f"PRAGMA journal_mode={journal_mode}")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"复制 {source} 失败：{error} (copying {source} failed: {error})") from None
    finally:
        writer.close()
        reader.close()


def _run_pg_tool(tool: str, url: str | None, arguments: list[str]) -> str:
    """Run pg_dump/pg_restore against ``url`` (host, port, user, database; password via PGPASSWORD)."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"PATH 中找不到 {tool}：请安装 PostgreSQL 客户端工具 postgresql-client "
                          f"({tool} not found on PATH: install the PostgreSQL client tools, postgresql-client)")
    command, environment = [program, "--no-password"], dict(os.environ)
    if url is not None:
        parts = make_url(url)
        host = parts.host or parts.query.get("host")
        command += [f"--host={host}"] if host else []
        command += [f"--port={parts.port}"] if parts.port else []
        command += [f"--username={parts.username}"] if parts.username else []
        command += [f"--dbname={parts.database}"]
        if parts.password:
            environment["PGPASSWORD"] = parts.password
        if "sslmode" in parts.query:
            environment["PGSSLMODE"] = parts.query["sslmode"]
    result = subprocess.run(command + arguments, capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        reason = " ".join(result.stderr.split()) or f"exit status {result.returncode}"
        raise BackupError(f"{tool} 执行失败：{reason[:500]} ({tool} failed: {reason[:500]})")
    return result.stdout
