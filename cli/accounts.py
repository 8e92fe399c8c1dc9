"""`onewindow admin`: the first administrator of a center, created on its own machine.

The password never travels as an argument (it would sit in the shell history and in ``ps``):
it is typed twice at a hidden prompt, or read from standard input with ``--password-stdin``.
"""

import sys

import click

from cli.common import case_engine, fail_clearly


@click.group()
def admin():
    """System administrators (系统管理员)."""


@admin.command("create")
@click.argument("username")
@click.option("--name", required=True, help="The administrator's full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (first line).")
@fail_clearly
def admin_create(username, name, password_stdin):
    """Create an administrator account with a password of the person's own choosing."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    staff = case_engine().staff_admin.create_administrator(username=username, name=name, password=password)
    click.echo(f"administrator {staff.username} ({staff.name}) created; sign in at /login")
