"""Errors the engine raises for bad input or impossible actions.

Every error names what was wrong (``field`` where a field is to blame) so that the web
layer can answer 4xx with a useful message and the CLI can print it.
"""

import re
import secrets

# "中文 (English)": a refusal in both languages, the English half in the final parentheses
# (no parenthesis and no Chinese inside it). web.refusals shows the request's half.
BILINGUAL = re.compile(r"^(?P<zh>.*[\u4e00-\u9fff].*?)\s*\((?P<en>[^()\u4e00-\u9fff]*[A-Za-z][^()\u4e00-\u9fff]*)\)$",
                       re.S)


def halves(message: str) -> tuple[str, str]:
    """The Chinese and the English half of a bilingual refusal (a message of one language is both)."""
    match = BILINGUAL.match(message or "")
    if not match:
        return message, message
    return match.group("zh").strip(), match.group("en").strip()


def new_reference() -> str:
    """A short number for a failure whose detail is for the log, not the clerk: the clerk
    reads it out to support, who find the detail logged under it."""
    return f"ERR-{secrets.token_hex(4).upper()}"


def english_half(text) -> str:
    """A library's words (lxml, jsonschema, tomllib) as they may stand in the English half of a
    bilingual "中文 (English)" refusal: their parentheses become brackets, so that the half still
    ends at the message's last parenthesis (web.refusals.one_language finds it there)."""
    return str(text).replace("(", "[").replace(")", "]")


class OneWindowError(Exception):
    """Base class: a refused action. Nothing was changed in the database."""

    http_status = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}

    def to_dict(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        if self.details:
            out["details"] = self.details
        return out


class InvalidInput(OneWindowError):
    """Submitted data failed validation."""

    http_status = 422
    code = "invalid_input"


class NotFound(OneWindowError):
    http_status = 404
    code = "not_found"


class Forbidden(OneWindowError):
    """The actor's role or department does not allow the action."""

    http_status = 403
    code = "forbidden"


class Conflict(OneWindowError):
    """The action lost a race or the object is not in a state that allows it."""

    http_status = 409
    code = "conflict"


class TooManyAttempts(OneWindowError):
    """Refused without looking: too many failed attempts from here; try again later."""

    http_status = 429
    code = "too_many_requests"


class ProcessDefinitionError(OneWindowError):
    """A BPMN/DMN/form file is unparsable or uses a construct the engine refuses."""

    code = "invalid_process"


class CatalogueError(OneWindowError):
    """Catalogue data refused at load time; message names the item and field."""

    code = "invalid_catalogue"


class ProcessRuntimeError(OneWindowError):
    """The process model could not continue (a script or decision failed); nothing changed.

    The message carries only a reference (``details["reference"]``): the model's expression
    text and the exception are logged under it, never shown to the clerk."""

    http_status = 409
    code = "process_error"
