"""`onewindow service-account`: the accounts connected systems (the provincial platform) call the API
with. The secret is printed once, here; the database keeps only its digest."""

import click

from cli.common import case_engine, fail_clearly
from engine.actor import SYSTEM
from engine.service_accounts.service import SCOPES


@click.group("service-account")
def service_account():
    """Service accounts (服务账户) of connected systems."""


@service_account.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(sorted(SCOPES)),
              help="A scope the account may ask a token for (default: submitting pre-applications).")
@fail_clearly
def create(name, scopes):
    """Create a service account; prints its client id and secret (shown this once)."""
    account, secret = case_engine().service_accounts.create(SYSTEM, name, list(scopes))
    click.echo(f"service account {account.name}: scopes {account.scopes}")
    click.echo(f"client_id={account.client_id}")
    click.echo(f"client_secret={secret}")
    click.echo("The secret is shown this once; POST both to /api/v1/auth/client-token for a bearer token.")


@service_account.command("list")
@fail_clearly
def list_accounts():
    """Every service account (never its secret)."""
    for account in case_engine().service_accounts.list(SYSTEM):
        click.echo(f"{account.client_id}\t{account.name}\t{account.scopes}\t{'active' if account.active else 'deactivated'}")
