"""`onewindow` commands that keep the records safe: the audit trail (verify, search), the
integrity check of every case, backup and restore."""

import contextlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from cli.common import case_engine, fail_clearly, settings
from engine.clock import CHINA_TZ, local_datetime


@click.group()
def audit():
    """The tamper-evident audit trail (one hash chain per case and per actor)."""


@contextlib.contextmanager
def _database_engine(database: str | None):
    """The configured database, or the one at ``--database`` (opened for this command only)."""
    if database is None:
        yield case_engine().db
        return
    from engine.db import is_sqlite, make_engine

    if is_sqlite(database) and not Path(make_url(database).database or "").is_file():
        raise click.BadParameter(f"no SQLite database at {make_url(database).database}", param_hint="--database")
    engine = make_engine(database)
    try:
        yield engine
    finally:
        engine.dispose()


def _china_time(value: str | None, *, end_of_day: bool) -> datetime | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` in China time; a day as ``--until`` includes that whole day."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return local_datetime(day + timedelta(days=1) if end_of_day else day)
        return datetime.fromisoformat(value).replace(tzinfo=CHINA_TZ)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not YYYY-MM-DD or 'YYYY-MM-DD HH:MM'") from None


@audit.command("verify")
@click.option("--database", default=None, help="Database URL (default: the configured database).")
@fail_clearly
def audit_verify(database):
    """Check every chain from its first entry to its head; exit status 1 at the first broken link."""
    from engine.audit.verify import verify_trail

    with _database_engine(database) as db:
        report = verify_trail(db)
    if report.broken is not None:
        raise click.ClickException(f"audit trail broken at {report.broken.describe()} "
                                   f"({report.entries} entries before it verified)")
    click.echo(f"{report.entries} entries in {report.chains} chains verified")


@audit.command("search")
@click.option("--case", "case_number", default=None, help="Case number, e.g. ZW2026112300001.")
@click.option("--actor", default=None, help="Username (system for the engine's own entries).")
@click.option("--since", default=None, help="From this day or time (China time): 2026-11-23 or '2026-11-23 09:00'.")
@click.option("--until", default=None, help="Up to this day (inclusive) or before this time (China time).")
@click.option("--database", default=None, help="Database URL (default: the configured database).")
@fail_clearly
def audit_search(case_number, actor, since, until, database):
    """Print the audit entries of one case or of one actor."""
    from engine.audit.service import search
    from engine.db import make_session_factory

    if bool(case_number) == bool(actor):
        raise click.UsageError("give either --case NUMBER or --actor USERNAME")
    since_at, until_at = _china_time(since, end_of_day=False), _china_time(until, end_of_day=True)
    with _database_engine(database) as db, make_session_factory(db)() as session:
        found = search(session, case_number=case_number, actor=actor, since=since_at, until=until_at)
    for entry, number in found:
        status = f"{entry.before_status or '-'}→{entry.after_status or '-'}" if entry.after_status else ""
        click.echo(f"{entry.id:>8}  {entry.at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M:%S}  {entry.actor:<16} "
                   f"{entry.action:<14} {number or '-':<16} {status:<12} "
                   f"{json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)}")
    click.echo(f"{len(found)} entries")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database", default=None, help="Database URL (default: the configured database).")
@fail_clearly
def backup_command(file, database):
    """Back up the whole database into the new FILE while the server runs.

    SQLite: an online copy (sqlite3 backup API). PostgreSQL: pg_dump custom format (-Fc).
    """
    from engine.backup import backup

    url = database or settings().database_url
    summary = backup(url, file)
    click.echo(f"backed up {make_url(url).render_as_string(hide_password=True)} ({summary.describe()}) "
               f"to {file} ({file.stat().st_size / 1e6:.1f} MB)")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database", default=None, help="Empty target database URL (default: the configured database).")
@fail_clearly
def restore_command(file, database):
    """Restore a backup FILE into an EMPTY database (a non-empty one is refused)."""
    from engine.backup import restore

    url = database or settings().database_url
    summary = restore(url, file)
    click.echo(f"restored {file} into {make_url(url).render_as_string(hide_password=True)}: {summary.describe()}")
    if not summary.schema_is_current:
        click.echo("the backup's schema is older than this version: run `onewindow db upgrade` on it")
    click.echo("check the audit trail with `onewindow audit verify --database URL`")


@click.command("check")
@click.option("--database", default=None, help="Database URL (default: the configured database).")
@fail_clearly
def db_check(database):
    """Check every case: workflow, case row, task rows, audit and ledger agree; exit status 1 if not."""
    from engine.integrity import check_database
    from engine.runtime import CaseEngine

    engine = case_engine() if database is None else CaseEngine(database)
    try:
        findings = check_database(engine)
    finally:
        if database is not None:
            engine.db.dispose()
    for finding in findings[:50]:
        click.echo(str(finding))
    if findings:
        raise click.ClickException(f"{len(findings)} findings")
    click.echo("every case is consistent")
