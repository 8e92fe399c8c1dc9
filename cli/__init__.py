"""The ``onewindow`` command line.

Every command builds its CaseEngine from the engine settings (``engine/settings.py``), read
from the environment without Flask; only ``onewindow serve`` builds the web app.
"""

import click

from cli.accounts import admin
from cli.attendance import attendance
from cli.center import calendar, catalogue, db_upgrade, demo, process
from cli.leave import leave
from cli.ledger import ledger
from cli.notifications import notifications
from cli.records import audit, backup_command, db_check, restore_command
from cli.run import scheduler_command, simulate
from cli.serve import serve
from cli.service_accounts import service_account


@click.group()
def main():
    """一窗通办 OneWindow: case engine and service-center application."""


@main.group()
def db():
    """Database schema and consistency."""


db.add_command(db_upgrade)
db.add_command(db_check)
for command in (admin, audit, backup_command, restore_command, demo, process, calendar, catalogue, simulate,
                scheduler_command, ledger, attendance, leave, notifications, serve, service_account):
    main.add_command(command)
