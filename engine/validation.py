"""Checking input: free text, the bounds of a database id, reading data files, and turning
marshmallow's nested errors into one (field path, message) pair."""

import re
import tomllib
from datetime import date, datetime
from pathlib import Path

from engine.errors import CatalogueError, InvalidInput, english_half

# Free text (a reason, an opinion, evidence, a complaint) is kept whole; this bounds a typing accident.
MAX_TEXT = 2000

# Control characters other than tab and newline (a browser's CRLF is read as a newline), lone
# surrogates and the two noncharacters: no database, spreadsheet or XML file keeps them whole —
# one \x07 in a ledger entry's evidence made the period's Excel export fail for everyone.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_character_problem(value: str) -> str | None:
    """Why ``value`` may not be stored as text, or None: the first refused character, by code."""
    found = CONTROL_CHARACTERS.search(value.replace("\r\n", "\n"))
    return None if found is None else f"must not contain control characters (U+{ord(found.group()):04X})"


def text(value, field: str, *, min_length: int = 1, max_length: int = MAX_TEXT) -> str:
    """Required free text, trimmed: ``min_length``-``max_length`` characters and no control
    character but tab and newline. The one check of every free-text field the engine takes."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} is required", field=field, details={"rule": "required"})
    if len(value.strip()) < min_length:
        raise InvalidInput(f"{field} must be at least {min_length} characters", field=field,
                           details={"rule": "minLength", "limit": min_length})
    if len(value) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", field=field,
                           details={"rule": "maxLength", "limit": max_length})
    if (problem := control_character_problem(value)) is not None:
        raise InvalidInput(f"{field} {problem}", field=field, details={"rule": "controlCharacters"})
    return value.replace("\r\n", "\n").strip()


def optional_text(value, field: str, *, max_length: int = MAX_TEXT) -> str | None:
    """Free text that may be left blank (None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return text(value, field, max_length=max_length)


# Ids are integer columns: PostgreSQL's integer ends here, and a bigger number is no id at all
# (it would overflow the driver rather than find nothing).
MAX_ID = 2**31 - 1


def as_date(value, field: str) -> date:
    """A day given as a date or as YYYY-MM-DD text (a moment is not a day), or the refusal naming ``field``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"{field} 须为日期 YYYY-MM-DD ({field} must be a date, YYYY-MM-DD)", field=field,
                       details={"rule": "date"})


def is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


# A center's catalogue or rule file is tens of KiB and a year's schedule a few; anything near
# this is a mistake or an attack.
MAX_DATA_FILE_BYTES = 1024 * 1024
# The catalogue nests four levels deep (items, materials, …); tomllib recurses per level and a
# few hundred levels exhausted Python's stack (a RecursionError traceback, not a message).
MAX_DATA_NESTING = 16


def read_data_file(path: Path, what: str, error=CatalogueError) -> str:
    """A UTF-8 data file of at most MAX_DATA_FILE_BYTES, or ``error`` naming the file and why not."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DATA_FILE_BYTES + 1)
        if len(data) > MAX_DATA_FILE_BYTES:
            raise error(f"文件 {path} 超过 {MAX_DATA_FILE_BYTES // 1024 // 1024} MiB "
                        f"({what} file {path} is larger than {MAX_DATA_FILE_BYTES // 1024 // 1024} MiB)", field="file")
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"文件 {path} 不是 UTF-8 文本 ({what} file {path} is not UTF-8 text)", field="file") from None
    except OSError as problem:
        raise error(f"无法读取文件 {path}：{problem.strerror} (cannot read {what} file {path}: {problem.strerror})",
                    field="file") from None


def _nesting(value) -> int:
    """How deeply tables and arrays nest in ``value``, counted without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth + 1)
            pending.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def read_toml_text(text: str, what: str, where: str = "", field: str | None = "toml") -> dict:
    """TOML text (``what``: e.g. "rules", ``where``: the file it came from), bounded in size and
    nesting, or a CatalogueError naming ``field``."""
    name = f"{what} file {where}" if where else what
    name_zh = f"文件 {where} " if where else "内容"
    if len(text.encode("utf-8")) > MAX_DATA_FILE_BYTES:
        raise CatalogueError(f"{name_zh}超过 {MAX_DATA_FILE_BYTES // 1024 // 1024} MiB "
                             f"({name} is larger than {MAX_DATA_FILE_BYTES // 1024 // 1024} MiB)", field=field)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = english_half(error)
        raise CatalogueError(f"{name_zh}不是有效的 TOML：{reason} ({name} is not valid TOML: {reason})",
                             field=field) from None
    except RecursionError:
        data = None
    if data is None or _nesting(data) > MAX_DATA_NESTING:
        raise CatalogueError(f"{name_zh}的表或数组嵌套超过 {MAX_DATA_NESTING} 层 "
                             f"({name} nests tables or arrays more than {MAX_DATA_NESTING} levels deep)", field=field)
    return data


def read_toml_file(path: Path, what: str) -> dict:
    """A TOML data file (``what``: e.g. "catalogue"), or a CatalogueError saying why not."""
    return read_toml_text(read_data_file(path, what), what, str(path), field=None)


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
