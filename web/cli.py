"""The ``onewindow`` command line (Flask's CLI, so every command runs with the app's config)."""

import functools
import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from engine.catalogue.loader import read_catalogue_file, validate_catalogue
from engine.errors import OneWindowError
from web import create_app


def case_engine():
    return current_app.extensions["onewindow"]


def fail_clearly(function):
    """Turn refused actions into a one-line error and exit status 1, never a traceback."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OneWindowError as error:
            raise click.ClickException(error.message) from None
    return wrapper


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False, add_version_option=False)
def cli():
    """一窗通办 OneWindow: case engine and service-center application."""


@cli.group()
def db():
    """Database schema."""


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
    from engine.workflow.specs import deployed_process_ids

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
