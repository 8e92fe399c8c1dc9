"""`onewindow` commands that run the center on their own: the simulation and the scheduler."""

import sys
from datetime import date

import click

from cli.common import case_engine, settings
from engine.errors import OneWindowError


@click.command()
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
        path = settings().instance_folder / "simulation.sqlite"
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        database = f"sqlite:///{path}"
    plan = Settings(days=days, cases_per_day=cases_per_day, seed=seed, start=start.date() if start else date.today())
    click.echo(f"simulating {days} days from {plan.start}, ~{cases_per_day} applications per working day, "
               f"database {database}")
    try:
        summary = run_simulation(database, plan, write=click.echo)
    except (OneWindowError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo("—" * 40)
    click.echo("合计 (totals)")
    for line in summary:
        click.echo(f"  {line}")
    sys.stdout.flush()


@click.command("scheduler")
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
