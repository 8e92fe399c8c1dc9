"""`onewindow` commands that set a center up: the schema, the demo center, process models,
the working-day calendar and the service catalogue."""

from pathlib import Path

import click

from cli.common import acting, case_engine, fail_clearly, settings
from engine.catalogue.loader import read_catalogue_file, validate_catalogue
from engine.errors import InvalidInput
from engine.validation import read_data_file


@click.command("upgrade")
def db_upgrade():
    """Apply schema migrations up to the newest."""
    from engine.migrate import upgrade

    upgrade(settings().database_url)
    click.echo("database schema is up to date")


@click.group()
def demo():
    """The demo service center."""


@demo.command("seed")
@click.option("--force", is_flag=True, help="Seed the demo center even in production.")
@fail_clearly
def demo_seed(force):
    """Deploy processes, seed the calendar, load the demo catalogue and demo staff."""
    from engine.demo import seed_demo_center

    production = settings().mode == "production"
    if production and not force:
        raise click.ClickException(
            "ONEWINDOW_CONFIG=production: the demo center has accounts with a published password, so "
            "'demo seed' refuses here. Create the administrator with 'onewindow admin create USERNAME --name NAME' "
            "and enter your own staff; add --force to seed the demo anyway (its accounts must then change "
            "their passwords at first sign-in).")
    result = seed_demo_center(case_engine(), production=production)
    click.echo(f"{result['center_name']}: {result['items']} service items, "
               f"{len(result['staff'])} new staff accounts, new process versions: {result['processes'] or 'none'}")


@click.group()
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


@process.command("list")
def process_list():
    """The deployed versions of each process and how many open cases run on each."""
    for line in case_engine().center_admin.process_versions():
        version = line.version
        click.echo(f"{version.process_id} v{version.version}{' (current)' if line.latest else ''}  "
                   f"deployed {version.deployed_at:%Y-%m-%d %H:%M}  open cases {line.open_cases}")


@click.group()
def calendar():
    """The working-day calendar."""


@calendar.command("seed")
@fail_clearly
def calendar_seed():
    """Copy the years the chinese_calendar package knows into the calendar table."""
    years = case_engine().seed_calendar()
    click.echo(f"seeded {len(years)} years" + (f": {years[0]}-{years[-1]}" if years else ""))


@calendar.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", default=None, help="The official notice the schedule comes from.")
@click.option("--preview", is_flag=True, help="Only list the days the import would change.")
@fail_clearly
def calendar_import(file, source, preview):
    """Import one year's official schedule: CSV with columns date,kind,name (kind: holiday|workday)."""
    text = read_data_file(file, "calendar", InvalidInput)
    try:
        if preview:
            year, changes = case_engine().center_admin.preview_calendar(text)
            click.echo(f"{year}: {len(changes)} days would change")
            for change in changes:
                click.echo(f"  {change.day}  {change.before} {change.before_name} -> {change.after} {change.after_name}")
            return
        year, days, recomputed = case_engine().import_calendar(text, source or str(file))
    except InvalidInput as error:
        raise click.ClickException(f"calendar file {file}: {error.message}") from None
    click.echo(f"imported {days} days of {year}; {recomputed} provisional due dates recomputed")


@calendar.command("correct")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--kind", type=click.Choice(["holiday", "workday", "ordinary"]), required=True)
@click.option("--name", default="", help="The holiday's or make-up day's name.")
@click.option("--user", required=True, help="The administrator making the correction.")
@fail_clearly
def calendar_correct(day, kind, name, user):
    """Correct one day of a known year (a holiday, a make-up working day, or an ordinary day again)."""
    engine, actor = case_engine(), acting(user)
    change = engine.center_admin.correct_day(actor, day.date(), kind, name)
    click.echo(f"{change.day}: {change.before} -> {change.after} {change.after_name}".rstrip())


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


@click.group()
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


@catalogue.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@fail_clearly
def catalogue_export(file):
    """Write the active catalogue (each item's current version) as TOML that `catalogue load` reads."""
    from engine.catalogue.export import to_toml

    raw = case_engine().catalogue_admin.export(settings().center_name)
    file.write_text(to_toml(raw), encoding="utf-8")
    click.echo(f"exported {len(raw['items'])} items of {len(raw['departments'])} departments to {file}")
