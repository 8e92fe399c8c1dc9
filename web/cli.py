"""The ``onewindow`` command line (Flask's CLI, so every command runs with the app's config)."""

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from engine.catalogue.loader import read_catalogue_file, validate_catalogue
from engine.errors import OneWindowError
from engine.staff.service import get_actor
from web import create_app
from web.cli_common import case_engine, fail_clearly
from web.cli_records import audit, backup_command, db_check, restore_command


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False, add_version_option=False)
def cli():
    """一窗通办 OneWindow: case engine and service-center application."""


@cli.group()
def db():
    """Database schema and consistency."""


db.add_command(db_check)
cli.add_command(audit)
cli.add_command(backup_command)
cli.add_command(restore_command)


@db.command("upgrade")
def db_upgrade():
    """Apply schema migrations up to the newest."""
    from engine.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database schema is up to date")


@cli.group()
def demo():
    """The demo service center."""


@demo.command("seed")
@fail_clearly
def demo_seed():
    """Deploy processes, seed the calendar, load the demo catalogue and demo staff."""
    from engine.demo import seed_demo_center

    result = seed_demo_center(case_engine())
    click.echo(f"{result['center_name']}: {result['items']} service items, "
               f"{len(result['staff'])} new staff accounts, new process versions: {result['processes'] or 'none'}")


@cli.group()
def process():
    """BPMN process models."""


@process.command("deploy")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with .bpmn/.dmn files and forms/ (default: the repository's processes/).")
@fail_clearly
def process_deploy(directory):
    """Deploy changed process models as new versions."""
    versions = case_engine().deploy_processes(directory)
    for version in versions:
        click.echo(f"deployed {version.process_id} version {version.version}")
    if not versions:
        click.echo("no process changed")


@cli.group()
def calendar():
    """The working-day calendar."""


@calendar.command("seed")
@fail_clearly
def calendar_seed():
    """Copy the years the chinese_calendar package knows into the calendar table."""
    years = case_engine().seed_calendar()
    click.echo(f"seeded {len(years)} years" + (f": {years[0]}-{years[-1]}" if years else ""))


@calendar.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--source", default=None, help="The official notice the schedule comes from.")
@fail_clearly
def calendar_import(file, source):
    """Import one year's official schedule: CSV with columns date,kind,name (kind: holiday|workday)."""
    year, days, recomputed = case_engine().import_calendar(file.read(), source or file.name)
    click.echo(f"imported {days} days of {year}; {recomputed} provisional due dates recomputed")


@calendar.command("show")
@click.argument("year", type=click.IntRange(2000, 2100))
def calendar_show(year):
    """List a year's holidays and make-up working days."""
    cal = case_engine().calendar.get()
    status = "official" if year in cal.known_years else "UNKNOWN (weekends only, due dates provisional)"
    click.echo(f"{year}: {status}")
    for day in sorted(day for day in cal.exceptions if day.year == year):
        working, name = cal.exceptions[day]
        click.echo(f"  {day}  {'上班' if working else '休息'}  {name}")


@cli.group()
def catalogue():
    """The service catalogue (办事指南)."""


@catalogue.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@fail_clearly
def catalogue_check(file):
    """Validate a catalogue file without loading it."""
    from engine.workflow.versions import deployed_process_ids

    with case_engine().session() as session:
        known = deployed_process_ids(session)
    result = validate_catalogue(read_catalogue_file(file), known)
    click.echo(f"{file}: {len(result['departments'])} departments, {len(result['items'])} items, all valid")


@catalogue.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@fail_clearly
def catalogue_load(file):
    """Validate and load a catalogue file (items missing from it are deactivated)."""
    result = case_engine().load_catalogue(read_catalogue_file(file))
    click.echo(f"loaded {len(result['items'])} items of {len(result['departments'])} departments")


@cli.command()
@click.option("--days", type=click.IntRange(1, 366), default=20, show_default=True, help="Simulated calendar days.")
@click.option("--cases-per-day", type=click.IntRange(0, 5000), default=60, show_default=True,
              help="Applications per working day (on average).")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed: same seed, same run.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (default: today).")
@click.option("--database", default=None,
              help="Empty database URL (default: a fresh SQLite file instance/simulation.sqlite).")
def simulate(days, cases_per_day, seed, start, database):
    """Run a simulated service center through the real engine on a simulated clock."""
    from engine.simulation.run import Settings
    from engine.simulation.run import simulate as run_simulation

    if database is None:
        path = Path(current_app.instance_path) / "simulation.sqlite"
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        database = f"sqlite:///{path}"
    settings = Settings(days=days, cases_per_day=cases_per_day, seed=seed,
                        start=start.date() if start else date.today())
    click.echo(f"simulating {days} days from {settings.start}, ~{cases_per_day} applications per working day, "
               f"database {database}")
    try:
        summary = run_simulation(database, settings, write=click.echo)
    except (OneWindowError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo("—" * 40)
    click.echo("合计 (totals)")
    for line in summary:
        click.echo(f"  {line}")
    sys.stdout.flush()


@cli.command("scheduler")
@click.option("--once", is_flag=True, help="Run one tick (if this process gets the lease) and exit.")
@click.option("--interval", type=click.FloatRange(1, 3600), default=15.0, show_default=True,
              help="Seconds between ticks.")
@click.option("--lease", "lease_seconds", type=click.FloatRange(2, 86400), default=60.0, show_default=True,
              help="Seconds another process waits before taking over from a silent holder.")
def scheduler_command(once, interval, lease_seconds):
    """Run the scheduler (timers, deadline sweep, ledger feed) as its own process."""
    from scheduler.runner import Scheduler

    if lease_seconds <= interval:
        raise click.BadParameter("must be longer than --interval", param_hint="--lease")
    runner = Scheduler(case_engine(), interval_seconds=interval, lease_seconds=lease_seconds)
    if once:
        result = runner.tick()
        click.echo("another scheduler holds the lease" if result is None
                   else ", ".join(f"{name}: {count}" for name, count in result.items()))
        return
    click.echo(f"scheduler {runner.holder}: ticking every {interval:g} s (Ctrl-C stops)")
    runner.run()


@cli.group()
def ledger():
    """The staff scoring ledger (考核台账)."""


@ledger.command("rules")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only validate the file.")
@fail_clearly
def ledger_rules(file, check):
    """Validate and load a scoring rule file (TOML, [[rules]])."""
    from engine.ledger.rules import read_rules_file, validate_rules

    raw = read_rules_file(file)
    rules = validate_rules(raw) if check else case_engine().ledger.load_rules(raw)
    click.echo(f"{file}: {len(rules)} rules " + ("valid" if check else "loaded"))


@ledger.command("record")
@click.option("--user", required=True, help="The supervisor recording the entry.")
@click.option("--staff", "staff_username", required=True, help="Username of the staff member.")
@click.option("--rule", "rule_code", required=True)
@click.option("--date", "occurred_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--evidence", required=True, help="The facts: what happened, who saw it.")
@click.option("--quantity", type=int, default=1, show_default=True)
@fail_clearly
def ledger_record(user, staff_username, rule_code, occurred_on, evidence, quantity):
    """Record a manual entry (attendance, conduct, commendation)."""
    engine = case_engine()
    with engine.session() as session:
        actor, staff = get_actor(session, user), get_actor(session, staff_username)
    entry = engine.ledger.record(actor, staff_id=staff.id, rule_code=rule_code, occurred_on=occurred_on.date(),
                                 evidence=evidence, quantity=quantity)
    click.echo(f"entry {entry.id}: {staff.name} {entry.rule_code} {entry.points} on {entry.occurred_on}")


@ledger.command("scores")
@click.argument("period")
@fail_clearly
def ledger_scores(period):
    """Scores and grades of a period: 2026-11, 2026-Q4 or 2026."""
    sheet = case_engine().ledger.scores(period)
    click.echo(f"{sheet.period.label} ({sheet.period.first} - {sheet.period.last})")
    for row in sheet.rows:
        person = sheet.staff[row.staff_id]
        click.echo(f"{row.rank:>4}  {person.name}\t{person.username:<16} {row.score:>6}  {row.grade}"
                   f"  补贴 {row.allowance}" + ("  (一票否决)" if row.vetoed else "")
                   + (f"  {'；'.join(row.notes)}" if row.notes else ""))


@ledger.command("export")
@click.argument("period")
@click.option("--user", required=True, help="The supervisor exporting.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--center", default="政务服务中心", show_default=True, help="The center's name for the title.")
@fail_clearly
def ledger_export(period, user, out, center):
    """Write a period's scores and ledger to an Excel file for the notice board."""
    engine = case_engine()
    with engine.session() as session:
        actor = get_actor(session, user)
    out.write_bytes(engine.ledger.export(actor, period, center_name=center))
    click.echo(f"wrote {out}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@fail_clearly
def serve(host, port):
    """Start the web server (and the scheduler), with a demo center on a fresh database."""
    from werkzeug.serving import run_simple

    from engine.demo import DEMO_PASSWORD, demo_staff, seed_demo_center
    from engine.migrate import upgrade
    from scheduler.runner import Scheduler

    app = current_app._get_current_object()
    upgrade(app.config["DATABASE_URL"])
    engine = case_engine()
    result = seed_demo_center(engine)
    runner = None
    if app.config["RUN_SCHEDULER"]:
        runner = Scheduler(engine)
        runner.start()
    click.echo(f"{result['center_name']} — OneWindow 一窗通办 at http://{host}:{port}/")
    click.echo(f"database: {app.config['DATABASE_URL']}; scheduler: {'in this process' if runner else 'off'}")
    click.echo(f"demo accounts (password '{DEMO_PASSWORD}'):")
    for username, name, role, department in demo_staff():
        click.echo(f"  {username:<16} {name}  {role}{' ' + department if department else ''}")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if runner is not None:
            runner.stop()
