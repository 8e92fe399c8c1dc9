"""Appending to the audit trail, and reading it back."""

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.audit.chain import GENESIS, chain_key, entry_hash, normalized_detail
from engine.audit.models import AuditChain, AuditEntry
from engine.cases.models import Case
from engine.db import per_dialect
from engine.errors import InvalidInput, NotFound

_ENTRIES = AuditEntry.__table__
_CHAINS = AuditChain.__table__


def _lock_head_statement(insert):
    """Create the chain's head if it is new, lock it, and return its length and last hash (one statement).

    The no-op update takes the row lock, so a second writer to the same chain waits here and then
    reads the head as the first one left it.
    """
    statement = insert(_CHAINS).values(key=bindparam("key"), length=0, last_hash=GENESIS)
    return (statement.on_conflict_do_update(index_elements=[_CHAINS.c.key], set_={"length": _CHAINS.c.length})
            .returning(_CHAINS.c.key, _CHAINS.c.length, _CHAINS.c.last_hash))


_LOCK_HEADS = per_dialect(_lock_head_statement)
# Ids are handed out in parameter order, so a chain's entries in one batch keep their order.
_INSERT = _ENTRIES.insert().returning(_ENTRIES.c.id, sort_by_parameter_order=True)
_ADVANCE_HEAD = _CHAINS.update().where(_CHAINS.c.key == bindparam("b_key")).values(
    length=bindparam("b_length"), last_hash=bindparam("b_hash"), last_entry_id=bindparam("b_entry_id"))


def _append_one_statement():
    """PostgreSQL: insert one entry and advance its chain's head in one statement (one round trip)."""
    inserted = (_ENTRIES.insert().values({column.name: bindparam(column.name, type_=column.type)
                                          for column in _ENTRIES.c if column.name != "id"})
                .returning(_ENTRIES.c.id).cte("inserted"))
    return (_CHAINS.update().where(_CHAINS.c.key == bindparam("b_key"))
            .values(length=bindparam("b_length"), last_hash=bindparam("b_hash"),
                    last_entry_id=select(inserted.c.id).scalar_subquery())
            .add_cte(inserted))


_APPEND_ONE = _append_one_statement()


def entry(*, actor: Actor, action: str, at: datetime, case_id: int | None = None, task_id: str | None = None,
          before_status: str | None = None, after_status: str | None = None, detail: dict | None = None) -> dict:
    """One entry's content, for :func:`record_many`."""
    return {"at": at, "actor": actor.username, "actor_id": actor.id, "action": action, "case_id": case_id,
            "task_id": task_id, "before_status": before_status, "after_status": after_status,
            "detail": normalized_detail(detail)}


def record(session: Session, **content) -> None:
    """Append one entry (the arguments of :func:`entry`) to its chain in the caller's transaction."""
    record_many(session, [entry(**content)])


def record_many(session: Session, entries: list[dict]) -> None:
    """Append entries made by :func:`entry` to their chains (the case's, else the actor's).

    The chains' heads are locked first, in key order (so two batches cannot deadlock); then
    the entries are inserted and the heads advanced, all in the caller's transaction: three
    statements for any number of entries, two for a single entry on PostgreSQL.
    """
    if not entries:
        return
    dialect = session.get_bind().dialect.name
    keys = [chain_key(content["case_id"], content["actor"]) for content in entries]
    heads = {key: (length, last_hash) for key, length, last_hash in
             session.execute(_LOCK_HEADS[dialect], [{"key": key} for key in sorted(set(keys))])}
    rows = []
    for key, content in zip(keys, entries, strict=True):
        length, previous = heads[key]
        digest = entry_hash(content, length + 1, previous)
        rows.append({**content, "chain_seq": length + 1, "prev_hash": previous, "entry_hash": digest})
        heads[key] = (length + 1, digest)
    # Entries are never read back in the transaction that writes them: plain inserts, no ORM objects.
    if len(rows) == 1 and dialect == "postgresql":
        session.execute(_APPEND_ONE, {**rows[0], "b_key": keys[0], "b_length": rows[0]["chain_seq"],
                                      "b_hash": rows[0]["entry_hash"]})
        return
    ids = session.execute(_INSERT, rows).scalars().all()
    last_ids = dict(zip(keys, ids, strict=True))
    session.execute(_ADVANCE_HEAD, [{"b_key": key, "b_length": length, "b_hash": digest, "b_entry_id": last_ids[key]}
                                    for key, (length, digest) in heads.items()])


def case_history(session: Session, case_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)))


def search(session: Session, *, case_number: str | None = None, actor: str | None = None,
           since: datetime | None = None, until: datetime | None = None) -> list[tuple[AuditEntry, str | None]]:
    """Entries of one case (in order) or of one actor (by time), optionally from ``since`` to before ``until``.

    Returns (entry, case number) pairs. Each query is an index range: ``ix_audit_entry_case``
    or ``ix_audit_entry_actor``.
    """
    if not case_number and not actor:
        raise InvalidInput("请填写办件编号或操作人员 (name a case number or an actor)", field="case")
    query = select(AuditEntry, Case.number).outerjoin(Case, Case.id == AuditEntry.case_id)
    if case_number:
        case_id = session.scalar(select(Case.id).where(Case.number == case_number))
        if case_id is None:
            raise NotFound(f"未找到办件 '{case_number}' (no case '{case_number}')", field="case")
        query = query.where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
    else:
        query = query.order_by(AuditEntry.at, AuditEntry.id)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return [(entry, number) for entry, number in session.execute(query)]
