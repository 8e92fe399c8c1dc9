"""Verifying the audit trail: every chain walked from its first entry to its head.

Entries are read once in id order (within a chain, id order is append order: an entry gets
its id while its writer holds the chain's head lock), all in one snapshot so a server
writing meanwhile cannot make a sound trail look broken. The first broken link is reported:
an entry whose content no longer matches its hash, an entry out of its place, a link to a
previous hash that is not the previous entry's, or a head that disagrees with its chain's end.
"""

import contextlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from engine.audit.chain import GENESIS, chain_key, entry_hash
from engine.audit.models import AuditChain, AuditEntry
from engine.cases.models import Case

_ENTRIES = AuditEntry.__table__
_CHAINS = AuditChain.__table__
_EMPTY = (0, GENESIS, None)  # a chain's state before its first entry: length, last hash, last entry id


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    entry_id: int | None
    case_number: str | None
    problem: str

    def describe(self) -> str:
        where = f"case {self.case_number}, chain {self.chain}" if self.case_number else f"chain {self.chain}"
        subject = f"entry {self.entry_id}" if self.entry_id is not None else "chain head"
        return f"{subject} ({where}): {self.problem}"


@dataclass(frozen=True)
class TrailReport:
    entries: int
    chains: int
    broken: BrokenLink | None


@contextlib.contextmanager
def _snapshot(db: Engine):
    """One read transaction that sees a single moment of the database."""
    with db.connect() as connection:
        if db.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def verify_trail(db: Engine) -> TrailReport:
    chains: dict[str, tuple[int, str, int | None]] = {}
    count = 0
    with _snapshot(db) as connection:
        rows = connection.execution_options(yield_per=2000).execute(select(_ENTRIES).order_by(_ENTRIES.c.id))
        for row in rows.mappings():
            key = chain_key(row["case_id"], row["actor"])
            problem = _entry_problem(connection, row, chains.get(key, _EMPTY))
            if problem:
                rows.close()
                return TrailReport(count, len(chains), _broken(connection, key, row["id"], problem))
            chains[key] = (row["chain_seq"], row["entry_hash"], row["id"])
            count += 1
        walked = len(chains)
        for head in connection.execute(select(_CHAINS).order_by(_CHAINS.c.key)).mappings():
            problem = _head_problem(head, chains.pop(head["key"], _EMPTY))
            if problem:
                return TrailReport(count, walked, _broken(connection, head["key"], head["last_entry_id"], problem))
        for key, (length, _, last_id) in sorted(chains.items()):
            problem = f"the chain has {length} entries but no head row: its head was deleted"
            return TrailReport(count, walked, _broken(connection, key, last_id, problem))
    return TrailReport(count, walked, None)


def _entry_problem(connection: Connection, row, state) -> str | None:
    length, last_hash, last_id = state
    if entry_hash(row, row["chain_seq"], row["prev_hash"]) != row["entry_hash"]:
        return "its content does not match its hash: the entry was changed"
    expected, seq = length + 1, row["chain_seq"]
    after = f"after entry {last_id}" if last_id is not None else "at the start of the chain"
    if seq < expected:
        return f"it is number {seq} of its chain but comes {after}, which was number {length}: the chain forks"
    if seq > expected:
        later = connection.scalar(select(_ENTRIES.c.id).where(
            *_same_chain(row), _ENTRIES.c.chain_seq == expected, _ENTRIES.c.id > row["id"]))
        if later is not None:
            return (f"it is number {seq} of its chain but comes {after}, before number {expected} "
                    f"(entry {later}): the entries are out of order")
        return f"it is number {seq} of its chain but comes {after}: number {expected} is missing"
    if row["prev_hash"] != last_hash:
        before = f"entry {last_id}" if last_id is not None else "the chain's start"
        return f"its previous-entry hash does not match {before}: an earlier entry was replaced"
    return None


def _same_chain(row) -> tuple:
    if row["case_id"] is not None:
        return (_ENTRIES.c.case_id == row["case_id"],)
    return _ENTRIES.c.case_id.is_(None), _ENTRIES.c.actor == row["actor"]


def _head_problem(head, found) -> str | None:
    length, last_hash, last_id = found
    if (head["length"], head["last_hash"], head["last_entry_id"]) == (length, last_hash, last_id):
        return None
    ending = f"ending with entry {last_id}" if last_id is not None else "and no entries"
    recorded = f"{head['length']} entries ending with entry {head['last_entry_id']}"
    if length < head["length"]:
        return f"its head records {recorded}, the trail holds {length} {ending}: the last entries were deleted"
    if length > head["length"]:
        return f"its head records {recorded}, the trail holds {length} {ending}: entries were added around the head"
    return f"its head records {recorded}, but the trail's last entry differs ({ending}): the head or entry was changed"


def _broken(connection: Connection, key: str, entry_id: int | None, problem: str) -> BrokenLink:
    number = None
    if key.startswith("case:"):
        number = connection.scalar(select(Case.number).where(Case.id == int(key.removeprefix("case:"))))
    return BrokenLink(key, entry_id, number, problem)
