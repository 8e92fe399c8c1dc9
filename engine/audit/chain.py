"""Hash chains of the audit trail: which chain an entry belongs to, and its hash.

Each entry's hash covers its content, its position in its chain and the previous entry's
hash, so changing, removing or reordering an entry breaks the chain from that point on.
There is one chain per case (its steps are already serialized by the case row lock) and
one per actor for entries without a case (sign-ins, catalogue and rule loads), so no
transaction waits on another that touches a different case or person.

The serialization is fixed: sorted-key compact JSON, UTF-8, times as UTC ISO 8601 with
microseconds. Changing it would make every stored hash fail verification.
"""

import hashlib
import json
from datetime import UTC, datetime

# The "previous hash" of a chain's first entry.
GENESIS = "0" * 64
HASHED_FIELDS = ("at", "actor", "actor_id", "action", "case_id", "task_id", "before_status", "after_status",
                 "detail")


def chain_key(case_id: int | None, actor: str) -> str:
    return f"case:{case_id}" if case_id is not None else f"actor:{actor}"


def normalized_detail(detail: dict | None) -> dict:
    """``detail`` as it reads back from a JSON column (string keys, lists for tuples)."""
    return json.loads(json.dumps(detail or {}, allow_nan=False))


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(fields, seq: int, prev_hash: str) -> str:
    """sha256 of an entry: ``fields`` is a mapping (or row) with the HASHED_FIELDS."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = _utc_iso(payload["at"])
    payload["seq"] = seq
    payload["prev_hash"] = prev_hash
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
