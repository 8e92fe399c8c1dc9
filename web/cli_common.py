"""What every `onewindow` command shares: the app's engine, and refusals as one-line errors."""

import functools

import click
from flask import current_app

from engine.errors import OneWindowError


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
