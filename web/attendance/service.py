"""What the attendance and leave pages and API both do (through ``CaseEngine.attendance`` and ``.leave``)."""

from engine.actor import Actor
from engine.attendance.service import MAX_IMPORT_BYTES
from engine.errors import InvalidInput
from web.access import case_engine

LEAVE_FIELDS = ("kind", "starts_on", "ends_on", "reason", "cover", "starts_half", "ends_half")


def attendance():
    return case_engine().attendance


def leave():
    return case_engine().leave


def uploaded_bytes(storage) -> bytes:
    """An uploaded file's bytes, read at most one byte past the bound (the engine refuses larger)."""
    if storage is None or not storage.filename:
        raise InvalidInput("请选择要导入的文件 (choose a file to import)", field="file")
    return storage.read(MAX_IMPORT_BYTES + 1)


def leaves(actor: Actor, scope: str):
    book = leave()
    return {"mine": book.mine, "to_approve": book.to_approve, "all": book.all}[scope](actor)


def leave_form(form) -> dict:
    """The page form's fields for the engine, blanks as None (the engine names what is missing)."""
    return {name: (form.get(name) or "").strip() or None for name in LEAVE_FIELDS}
