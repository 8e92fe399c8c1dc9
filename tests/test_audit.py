"""The audit trail is a set of hash chains: a clean trail verifies, and every kind of
tampering (a changed, removed, last-removed or reordered entry) is reported at its first
broken link. Racing writers keep the chains whole; the search reads through the indexes."""

import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, create_engine, event, func, select, text

from cli import main as cli
from engine.actor import SYSTEM
from engine.audit import service as audit
from engine.audit.models import AuditChain, AuditEntry
from engine.audit.verify import verify_trail
from engine.migrate import upgrade
from engine.runtime import CaseEngine
from engine.staff.accounts import sign_in
from tests.conftest import START
from tests.databases import empty_database
from tests.helpers import DEMO_PASSWORD, csrf_token_of, intake, item_code, person


def _case_with_history(engine, staff):
    """A back-office case whose chain holds five entries: create, claim, unclaim, claim, complete."""
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    (review,) = engine.open_tasks(case.number)
    approver = staff["scjg_approver1"]
    engine.claim_task(approver, review.id)
    engine.unclaim_task(approver, review.id)
    engine.claim_task(approver, review.id)
    engine.complete_task(approver, review.id, {"decision": "approve", "opinion": "同意"})
    with engine.session() as session:
        ids = list(session.scalars(select(AuditEntry.id).where(AuditEntry.case_id == case.id)
                                   .order_by(AuditEntry.id)))
    assert len(ids) == 5
    return case, ids


def _sql(engine, statement, **params):
    with engine.db.begin() as connection:
        connection.execute(text(statement), params)


def _verify_cli(db_url):
    return CliRunner().invoke(cli, ["audit", "verify", "--database", db_url], catch_exceptions=False)


def test_a_clean_trail_verifies_and_sign_ins_are_chained(app, engine, db_url, staff):
    _case_with_history(engine, staff)
    client = app.test_client()
    for username, password in [("nobody", "x"), ("clerk2", "wrong-password"), ("clerk2", DEMO_PASSWORD)]:
        token = csrf_token_of(client.get("/login").data)
        client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    report = verify_trail(engine.db)
    with engine.session() as session:
        assert report.entries == session.scalar(select(func.count()).select_from(AuditEntry))
        assert report.chains == session.scalar(select(func.count()).select_from(AuditChain))
        sign_ins = session.execute(select(AuditEntry.id, AuditEntry.action, AuditEntry.chain_seq).where(
            AuditEntry.case_id.is_(None), AuditEntry.actor == "clerk2").order_by(AuditEntry.id)).all()
        unknown = session.execute(select(AuditEntry.id, AuditEntry.actor).where(
            AuditEntry.action == "login_failed", AuditEntry.detail["username"].as_string() == "nobody")).one()
        system_head = session.get(AuditChain, "actor:system")
        head = session.get(AuditChain, "actor:clerk2")
    assert report.broken is None
    assert [(action, seq) for _, action, seq in sign_ins] == [("login_failed", 1), ("login", 2)]
    assert (head.length, head.last_entry_id) == (2, sign_ins[-1].id)
    assert unknown.actor == "system" and system_head.last_entry_id == unknown.id  # unknown names: the system's chain
    result = _verify_cli(db_url)
    assert result.exit_code == 0 and f"{report.entries} entries in {report.chains} chains verified" in result.output


def test_a_changed_detail_is_the_first_broken_link(engine, db_url, staff):
    case, ids = _case_with_history(engine, staff)
    _sql(engine, "UPDATE audit_entry SET detail = :forged WHERE id = :id", forged='{"task": "review"}', id=ids[2])
    broken = verify_trail(engine.db).broken
    assert (broken.entry_id, broken.case_number, broken.chain) == (ids[2], case.number, f"case:{case.id}")
    assert "content does not match its hash" in broken.problem
    result = _verify_cli(db_url)
    assert result.exit_code == 1
    assert f"entry {ids[2]} (case {case.number}, chain case:{case.id})" in result.output


def test_a_removed_middle_entry_is_reported_at_the_entry_after_it(engine, staff):
    case, ids = _case_with_history(engine, staff)
    _sql(engine, "DELETE FROM audit_entry WHERE id = :id", id=ids[1])
    broken = verify_trail(engine.db).broken
    assert (broken.entry_id, broken.case_number) == (ids[2], case.number)
    assert broken.problem == f"it is number 3 of its chain but comes after entry {ids[0]}: number 2 is missing"


def test_a_removed_last_entry_is_caught_by_the_chain_head(engine, staff):
    case, ids = _case_with_history(engine, staff)
    _sql(engine, "DELETE FROM audit_entry WHERE id = :id", id=ids[-1])
    broken = verify_trail(engine.db).broken
    assert (broken.entry_id, broken.case_number) == (ids[-1], case.number)
    assert "head records 5 entries" in broken.problem and "the last entries were deleted" in broken.problem


def test_a_removed_last_sign_in_is_caught_too(engine, clock):
    sign_in(engine.transaction, "clerk3", DEMO_PASSWORD, clock.now())
    sign_in(engine.transaction, "clerk3", DEMO_PASSWORD, clock.now())
    _sql(engine, "DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry WHERE actor = 'clerk3')")
    broken = verify_trail(engine.db).broken
    assert broken.chain == "actor:clerk3" and broken.case_number is None
    assert "head records 2 entries" in broken.problem


def test_reordered_entries_are_reported_as_out_of_order(engine, staff):
    case, ids = _case_with_history(engine, staff)
    first, second = ids[1], ids[2]
    _sql(engine, "UPDATE audit_entry SET id = :spare WHERE id = :id", spare=-1, id=first)
    _sql(engine, "UPDATE audit_entry SET id = :new WHERE id = :id", new=first, id=second)
    _sql(engine, "UPDATE audit_entry SET id = :new WHERE id = :id", new=second, id=-1)
    broken = verify_trail(engine.db).broken
    assert (broken.entry_id, broken.case_number) == (first, case.number)
    assert broken.problem == (f"it is number 3 of its chain but comes after entry {ids[0]}, before number 2 "
                              f"(entry {second}): the entries are out of order")


def test_racing_writers_keep_every_chain_whole(engine, db_url, clock, staff):
    """Threads append to the same case chain and the same actor chain at once, without any lock
    of their own: only the chain head's row lock keeps each chain a single line."""
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    writers, appends = 6, 5
    engines = [CaseEngine(db_url, clock=clock) for _ in range(writers)]
    barrier = threading.Barrier(writers)
    failures = []

    def write(index):
        barrier.wait()
        try:
            for n in range(appends):
                with engines[index].transaction() as session:
                    audit.record(session, actor=SYSTEM, action="note", at=clock.now(), case_id=case.id,
                                 detail={"writer": index, "n": n})
                    audit.record(session, actor=staff["supervisor"], action="note", at=clock.now(),
                                 detail={"writer": index, "n": n})
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            failures.append(error)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for racing in engines:
        racing.db.dispose()
    assert failures == []
    report = verify_trail(engine.db)
    assert report.broken is None
    with engine.session() as session:
        assert session.get(AuditChain, f"case:{case.id}").length == 1 + writers * appends
        assert session.get(AuditChain, "actor:supervisor").length == writers * appends


def test_search_by_case_and_by_actor_through_the_indexes(engine, db_url, clock, staff, monkeypatch):
    case, ids = _case_with_history(engine, staff)
    clock.advance(timedelta(days=1))
    sign_in(engine.transaction, "scjg_approver1", DEMO_PASSWORD, clock.now())
    with engine.session() as session:
        assert [entry.id for entry, _ in audit.search(session, case_number=case.number)] == ids
        by_actor = audit.search(session, actor="scjg_approver1")
        later = audit.search(session, actor="scjg_approver1", since=clock.now())
        statements = _statements_of(engine, lambda: (audit.search(session, case_number=case.number),
                                                     audit.search(session, actor="clerk1", since=START)))
    assert [entry.action for entry, _ in by_actor] == ["claim", "unclaim", "claim", "complete", "login"]
    assert [number for _, number in by_actor] == [case.number] * 4 + [None]
    assert [entry.action for entry, _ in later] == ["login"]
    plans = [_plan(engine, statement, parameters) for statement, parameters in statements[-2:]]
    assert "ix_audit_entry_case" in plans[0] and "ix_audit_entry_actor" in plans[1]

    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", db_url)
    runner = CliRunner()
    result = runner.invoke(cli, ["audit", "search", "--case", case.number], catch_exceptions=False)
    assert result.exit_code == 0 and result.output.count(case.number) == 5 and "5 entries" in result.output
    result = runner.invoke(cli, ["audit", "search", "--actor", "scjg_approver1", "--since", "2026-11-24",
                                 "--until", "2026-11-24"], catch_exceptions=False)
    assert result.exit_code == 0 and "login" in result.output and "1 entries" in result.output
    result = runner.invoke(cli, ["audit", "search", "--case", "ZW000"], catch_exceptions=False)
    assert result.exit_code == 1 and "no case 'ZW000'" in result.output
    result = runner.invoke(cli, ["audit", "search", "--actor", "clerk1", "--since", "yesterday"])
    assert result.exit_code == 2 and "is not YYYY-MM-DD" in result.output


def _statements_of(engine, action):
    seen = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))
    event.listen(engine.db, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(engine.db, "before_cursor_execute", capture)
    return seen


def _plan(engine, statement, parameters) -> str:
    """The query plan, with sequential scans ruled out on PostgreSQL: is there an index path at all?"""
    with engine.db.begin() as connection:
        if engine.db.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        else:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[-1]) for row in rows)


def test_the_migration_chains_existing_entries_as_they_would_have_been(engine, db_url, staff, clock, tmp_path):
    """A trail written live is copied into a database at the schema before chaining (0003);
    migrating that copy must chain its entries exactly as the live recording did."""
    _case_with_history(engine, staff)
    sign_in(engine.transaction, "clerk1", DEMO_PASSWORD, clock.now())
    with empty_database(db_url, tmp_path, "migrate") as url:
        upgrade(url, "0003")
        _copy_rows(engine.db, url)
        upgrade(url)
        migrated = CaseEngine(url, clock=clock)
        try:
            assert _hashes(migrated) == _hashes(engine)
            assert verify_trail(migrated.db).broken is None
        finally:
            migrated.db.dispose()


def _copy_rows(source, target_url: str) -> None:
    """Every row of the target's tables, in the columns both have (later migrations drop some), from ``source``."""
    target = create_engine(target_url)
    try:
        tables, current = MetaData(), MetaData()
        tables.reflect(target)
        current.reflect(source)
        with source.connect() as reading, target.begin() as writing:
            for table in tables.sorted_tables:
                if table.name == "alembic_version":
                    continue
                columns = [column for column in table.c if column.name in current.tables[table.name].c]
                rows = reading.execute(select(*columns)).mappings().all()
                if rows:
                    writing.execute(table.insert(), [dict(row) for row in rows])
    finally:
        target.dispose()


def _hashes(engine):
    with engine.session() as session:
        entries = session.execute(select(AuditEntry.id, AuditEntry.chain_seq, AuditEntry.entry_hash)
                                  .order_by(AuditEntry.id)).all()
        heads = session.execute(select(AuditChain.key, AuditChain.length, AuditChain.last_hash,
                                       AuditChain.last_entry_id).order_by(AuditChain.key)).all()
    return entries, heads


@pytest.mark.parametrize("detail", [{1: "integer keys", "tuple": (1, 2)}, {"text": "中文", "float": 0.1}])
def test_details_are_hashed_as_they_read_back(engine, detail):
    with engine.transaction() as session:
        audit.record(session, actor=SYSTEM, action="note", at=START, detail=detail)
    assert verify_trail(engine.db).broken is None
