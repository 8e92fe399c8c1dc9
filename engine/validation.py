"""Checking input: free text, the bounds of a database id, reading data files, and turning
marshmallow's nested errors into one (field path, message) pair."""

import tomllib
from pathlib import Path

from engine.errors import CatalogueError, InvalidInput

# Free text (a reason, an opinion, evidence, a complaint) is kept whole; this bounds a typing accident.
MAX_TEXT = 2000


def text(value, field: str, *, min_length: int = 1, max_length: int = MAX_TEXT) -> str:
    """Required free text, trimmed: ``min_length``-``max_length`` characters and no NUL (no
    database keeps one). The one check of every free-text field the engine takes."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} is required", field=field, details={"rule": "required"})
    if len(value.strip()) < min_length:
        raise InvalidInput(f"{field} must be at least {min_length} characters", field=field,
                           details={"rule": "minLength", "limit": min_length})
    if len(value) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", field=field,
                           details={"rule": "maxLength", "limit": max_length})
    if "\x00" in value:
        raise InvalidInput(f"{field} must not contain NUL characters", field=field)
    return value.strip()


def optional_text(value, field: str, *, max_length: int = MAX_TEXT) -> str | None:
    """Free text that may be left blank (None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return text(value, field, max_length=max_length)


# Ids are integer columns: PostgreSQL's integer ends here, and a bigger number is no id at all
# (it would overflow the driver rather than find nothing).
MAX_ID = 2**31 - 1


def is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


# A center's catalogue or rule file is tens of KiB; anything near this is a mistake or an attack.
MAX_DATA_FILE_BYTES = 5 * 1024 * 1024


def read_toml_file(path: Path, what: str) -> dict:
    """A TOML data file (``what``: e.g. "catalogue"), or a CatalogueError saying why not."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DATA_FILE_BYTES + 1)
        if len(data) > MAX_DATA_FILE_BYTES:
            raise CatalogueError(f"{what} file {path} is larger than {MAX_DATA_FILE_BYTES // 1024 // 1024} MiB")
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CatalogueError(f"{what} file {path} is not UTF-8 text") from None
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
