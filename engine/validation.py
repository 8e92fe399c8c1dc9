"""Reading data files and turning marshmallow's nested errors into one (field path, message) pair."""

import tomllib
from pathlib import Path

from engine.errors import CatalogueError


def read_toml_file(path: Path, what: str) -> dict:
    """A TOML data file (``what``: e.g. "catalogue"), or a CatalogueError saying why not."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise CatalogueError(f"cannot read {what} file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{what} file {path} is not valid TOML: {error}") from None


def first_error(messages, prefix: str = "") -> tuple[str, str]:
    """The first error of a marshmallow ``ValidationError.messages`` as (dotted field path, message)."""
    if isinstance(messages, dict):
        key, value = next(iter(messages.items()))
        if key == "_schema":
            return prefix.rstrip("."), first_error(value)[1]
        return first_error(value, f"{prefix}{key}.")
    if isinstance(messages, list):
        first = messages[0]
        return (prefix.rstrip("."), first) if isinstance(first, str) else first_error(first, prefix)
    return prefix.rstrip("."), str(messages)
