"""Registering once per ``Idempotency-Key``: the same key from the same clerk gives the case
its first request made; the same key with a different request is refused.

The key row is inserted first with ON CONFLICT DO NOTHING: on PostgreSQL a concurrent retry
with the key waits on the first request's uncommitted row and, once that commits, finds it;
on SQLite writers queue on the database lock, so the second sees the committed row at once.
"""

import hashlib
import json
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.models import Case, IdempotencyKey
from engine.db import per_dialect
from engine.errors import InvalidInput

HEADER = "Idempotency-Key"
# Printable ASCII without spaces: a UUID, a ULID or any client's random token fits.
_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
_INSERTS = per_dialect(lambda insert: insert(IdempotencyKey).on_conflict_do_nothing().returning(IdempotencyKey.key))


def fingerprint(item_code, applicant, intake) -> str:
    """The request a key was first used for, as a digest of its canonical JSON."""
    body = json.dumps({"item_code": item_code, "applicant": applicant, "intake": intake}, sort_keys=True,
                      ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def check_key(key) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidInput(f"{HEADER} 须为 1 至 100 个可打印的 ASCII 字符，不含空格 "
                           f"({HEADER} must be 1 to 100 printable ASCII characters without spaces)", field=HEADER)
    return key


def claim(session: Session, staff_id: int, key: str, request_fingerprint: str, now: datetime) -> Case | None:
    """Take ``key`` for this request (None: go on and register), or the case it already made."""
    statement = _INSERTS[session.get_bind().dialect.name].values(
        staff_id=staff_id, key=key, fingerprint=request_fingerprint, created_at=now)
    if session.execute(statement).first() is not None:
        return None
    earlier = session.execute(select(IdempotencyKey).where(
        IdempotencyKey.staff_id == staff_id, IdempotencyKey.key == key)).scalar_one()
    if earlier.fingerprint != request_fingerprint:
        raise InvalidInput(f"该 {HEADER} 已用于另一次登记；新的申请请使用新的键值 (this {HEADER} was already used for a "
                           "different registration; send a new key for a new application)", field=HEADER)
    return session.get(Case, earlier.case_id)


def bind(session: Session, staff_id: int, key: str, case_id: int) -> None:
    """Record the case the claimed key made (same transaction as the case)."""
    session.get(IdempotencyKey, (staff_id, key)).case_id = case_id
