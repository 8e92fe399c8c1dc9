"""`onewindow attendance`: the day's computation (as the scheduler's daily job does it), the punch
clock's import, the weekly bulletin, and the center's working hours."""

from pathlib import Path

import click

from cli.common import acting, case_engine, fail_clearly
from engine.actor import SYSTEM


@click.group()
def attendance():
    """Attendance (考勤): computing days, the punch clock's file, the weekly bulletin, working hours."""


@attendance.command("compute")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Compute this finished day (again: nothing is charged twice). Default: every final day due.")
@fail_clearly
def attendance_compute(day):
    """Charge lateness, leaving early and absence to the ledger, each occurrence once."""
    engine = case_engine()
    if day is None:
        click.echo(f"{engine.attendance.compute_due()} findings charged on the days due")
    else:
        click.echo(f"{day.date()}: {engine.attendance.compute_day(day.date(), SYSTEM)} findings")


@attendance.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", required=True, help="The supervisor importing.")
@fail_clearly
def attendance_import(file, user):
    """Import the punch clock's CSV (username,date,time_in,time_out); one bad row and nothing is imported."""
    engine, actor = case_engine(), acting(user)
    click.echo(f"{file}: {engine.attendance.import_punches(actor, file.read_bytes())} rows imported")


@attendance.command("bulletin")
@click.option("--week", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Any day of the week.")
@click.option("--user", required=True, help="The supervisor.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write the bulletin (每周通报) to this .xlsx file.")
@click.option("--center", default="政务服务中心", show_default=True, help="The center's name for the title.")
@fail_clearly
def attendance_bulletin(week, user, out, center):
    """The week's attendance bulletin (每周通报), printed or written to Excel."""
    engine, actor = case_engine(), acting(user)
    if out is not None:
        out.write_bytes(engine.attendance.bulletin_xlsx(actor, week.date(), center))
        click.echo(f"wrote {out}")
        return
    bulletin = engine.attendance.bulletin(actor, week.date())
    click.echo(f"{bulletin.first} - {bulletin.last}")
    for line in bulletin.lines:
        click.echo(f"{line.name}\t{line.username:<16} ≤10分 {line.minor}  10-30分 {line.late}  >30分 {line.major}"
                   f"  早退 {line.early}  旷工半天 {line.absent_half_days}  请假 {line.leave_days:g}")


@attendance.command("hours")
@click.option("--season", type=click.Choice(["summer", "winter"]), default=None, help="The season to set.")
@click.option("--first-day", default=None, help="Summer's first day, MM-DD (e.g. 05-01).")
@click.option("--last-day", default=None, help="Summer's last day, MM-DD (e.g. 09-30).")
@click.option("--morning-start", default=None)
@click.option("--morning-end", default=None)
@click.option("--afternoon-start", default=None)
@click.option("--afternoon-end", default=None)
@fail_clearly
def attendance_hours(season, **fields):
    """Show the center's working hours, or set one season's (HH:MM each)."""
    engine = case_engine()
    schedule = engine.attendance.hours() if season is None else \
        engine.attendance.save_hours(SYSTEM, season, fields)
    click.echo(f"summer {schedule.summer_first}..{schedule.summer_last}, winter the rest of the year")
    for name, hours in (("summer", schedule.summer), ("winter", schedule.winter)):
        click.echo(f"{name}: {hours.morning_start:%H:%M}-{hours.morning_end:%H:%M}, "
                   f"{hours.afternoon_start:%H:%M}-{hours.afternoon_end:%H:%M}")
