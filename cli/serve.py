"""`onewindow serve`: the one command that builds the Flask app, with the scheduler in its process."""

import os
import socket

import click

from cli.common import fail_clearly, settings
from engine.settings import flag, read_variable


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@fail_clearly
def serve(host, port):
    """Start the web server (and the scheduler), with a demo center on a fresh database."""
    from werkzeug.serving import make_server

    from engine.demo import DEMO_PASSWORD, demo_staff, seed_demo_center
    from engine.migrate import upgrade
    from scheduler.runner import Scheduler
    from web import create_app

    engine_settings = settings()
    run_scheduler = _runs_scheduler(engine_settings.mode)
    # Taken before migrating and seeding: a busy port fails at once and changes nothing.
    listener = _listen(host, port)
    try:
        upgrade(engine_settings.database_url)
        app = create_app(settings=engine_settings)
        engine = app.extensions["onewindow"]
        production = engine_settings.mode == "production"
        if production and not engine.staff_admin.has_administrator():
            raise click.ClickException(
                "ONEWINDOW_CONFIG=production and no administrator yet: create one with "
                "'onewindow admin create USERNAME --name NAME' (the password is asked twice), then serve again")
        # A production center enters its own staff; the demo is the quick start only.
        center_name = engine_settings.center_name if production else seed_demo_center(engine)["center_name"]
        server = make_server(host, port, app, threaded=True, fd=listener.fileno())
    finally:
        listener.close()  # the server holds its own duplicate of the socket
    runner = None
    if run_scheduler:
        runner = Scheduler(engine)
        runner.start()
    click.echo(f"{center_name} — OneWindow 一窗通办 at http://{host}:{port}/")
    click.echo(f"database: {engine_settings.database_url}; scheduler: {'in this process' if runner else 'off'}")
    if not production:
        click.echo(f"demo accounts (password '{DEMO_PASSWORD}'):")
        for username, name, role, department in demo_staff():
            click.echo(f"  {username:<16} {name}  {role}{' ' + department if department else ''}")
    try:
        server.log_startup()
        server.serve_forever()
    finally:
        if runner is not None:
            runner.stop()
        engine.db.dispose()


def _runs_scheduler(mode: str) -> bool:
    """``ONEWINDOW_RUN_SCHEDULER``: on by default (the embedded setup), off when a separate
    `onewindow scheduler` process runs it, and in testing mode."""
    return read_variable(os.environ, "RUN_SCHEDULER", flag, mode != "testing")


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, as the server would open it, or a clear refusal."""
    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(get_sockaddr(host, port, family))
        listener.listen(socket.SOMAXCONN)
    except OSError as error:
        listener.close()
        raise click.ClickException(f"cannot serve on {host}:{port}: {error.strerror or error}; "
                                   "stop the program that uses it or choose another --port") from None
    return listener
