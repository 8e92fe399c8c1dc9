"""Backup and restore through the CLI on both databases: a backup taken while cases are being
written restores into an empty database whose trail verifies and whose cases carry on;
every refusal (existing file, non-empty target, wrong kind of file, no pg_dump) is a
one-line error that changes nothing."""

import subprocess
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cli import main as cli
from engine.audit.models import AuditEntry
from engine.audit.verify import verify_trail
from engine.cases.models import Case
from engine.runtime import CaseEngine
from engine.staff.service import get_actor
from tests.databases import empty_database
from tests.helpers import approve_in_back_office, intake, item_code, only_task, person


@pytest.fixture
def run(db_url, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", db_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def restore_target(db_url, tmp_path):
    with empty_database(db_url, tmp_path, "restore") as url:
        yield url


def _cases_at_different_stages(engine, staff) -> dict:
    review = item_code(engine, case_type="承诺件", name="食品经营许可")
    in_queue = engine.create_case(staff["clerk1"], review, person(), intake(engine, review))
    claimed = engine.create_case(staff["clerk1"], review, person("李四"), intake(engine, review))
    engine.claim_task(staff["scjg_approver1"], only_task(engine, claimed.number).id)
    incomplete = engine.create_case(staff["clerk1"], review, person("王五"), intake(engine, review, missing=1))
    decided = engine.create_case(staff["clerk1"], review, person("赵六"), intake(engine, review))
    approve_in_back_office(engine, decided.number, staff["scjg_approver1"])
    return {"in_queue": in_queue.number, "claimed": claimed.number, "incomplete": incomplete.number,
            "decided": decided.number}


def _statuses(engine, numbers) -> dict:
    with engine.session() as session:
        return dict(session.execute(select(Case.number, Case.status).where(Case.number.in_(numbers))).all())


def test_a_backup_taken_while_cases_are_written_restores_and_carries_on(engine, db_url, clock, staff, run,
                                                                         restore_target, tmp_path):
    cases = _cases_at_different_stages(engine, staff)
    stages = _statuses(engine, cases.values())
    code = item_code(engine, case_type="即办件")
    writing, first_written, stop = CaseEngine(db_url, clock=clock), threading.Event(), threading.Event()
    form = intake(engine, code)

    def keep_writing():
        while not stop.is_set():
            writing.create_case(staff["clerk2"], code, person("钱七"), form)
            first_written.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert first_written.wait(timeout=30)
        backup = tmp_path / "center.backup"
        result = run("backup", backup, "--database", db_url)
    finally:
        stop.set()
        writer.join(timeout=60)
        writing.db.dispose()
    assert result.exit_code == 0, result.output
    assert f"to {backup}" in result.output and backup.stat().st_size > 0

    result = run("restore", backup, "--database", restore_target)
    assert result.exit_code == 0, result.output
    assert "restored" in result.output and "schema is older" not in result.output
    assert "verified" in run("audit", "verify", "--database", restore_target).output

    restored = CaseEngine(restore_target, clock=clock)
    try:
        assert _statuses(restored, cases.values()) == stages
        with restored.session() as session:
            approver = get_actor(session, "scjg_approver1")
            written_by_the_writer = session.scalar(select(func.count()).select_from(Case)) - len(cases)
        assert written_by_the_writer >= 1
        review = only_task(restored, cases["claimed"])
        carried_on = restored.complete_task(approver, review.id, {"decision": "approve", "opinion": "同意"})
        assert carried_on.status != stages[cases["claimed"]]
        queued = only_task(restored, cases["in_queue"])
        assert restored.claim_task(approver, queued.id).assignee_id == approver.id
        report = verify_trail(restored.db)
        assert report.broken is None
        with restored.session() as session:
            assert report.entries == session.scalar(select(func.count()).select_from(AuditEntry))
    finally:
        restored.db.dispose()
    assert _statuses(engine, [cases["claimed"]]) == {cases["claimed"]: stages[cases["claimed"]]}


def test_restore_refuses_a_database_that_is_not_empty(engine, db_url, staff, run, tmp_path):
    _cases_at_different_stages(engine, staff)
    backup = tmp_path / "center.backup"
    assert run("backup", backup).exit_code == 0
    with engine.session() as session:
        count = session.scalar(select(func.count()).select_from(Case))
    result = run("restore", backup)
    assert result.exit_code == 1 and "is not empty" in result.output and "Traceback" not in result.output
    with engine.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == count


def test_clear_errors_for_files(run, db_url, tmp_path, restore_target):
    existing = tmp_path / "taken.backup"
    existing.write_bytes(b"something precious")
    result = run("backup", existing)
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_bytes() == b"something precious"
    result = run("backup", tmp_path / "no-such-folder" / "x.backup")
    assert result.exit_code == 1 and "does not exist" in result.output
    result = run("restore", tmp_path / "missing.backup", "--database", restore_target)
    assert result.exit_code == 1 and "no backup file" in result.output
    result = run("restore", existing, "--database", restore_target)
    assert result.exit_code == 1 and "not a OneWindow backup" in result.output


def test_a_backup_goes_back_only_into_its_own_kind_of_database(run, postgres_url, tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    pg_backup = tmp_path / "pg.backup"
    assert run("backup", pg_backup, "--database", postgres_url).exit_code == 0
    result = run("restore", pg_backup, "--database", sqlite_url)
    assert result.exit_code == 1 and "is a PostgreSQL dump" in result.output
    assert not (tmp_path / "other.sqlite").exists()


def test_pg_tools_get_the_password_from_the_environment_and_must_exist(run, postgres_url, tmp_path, monkeypatch):
    calls = []
    real_run = subprocess.run

    def watching(command, **options):
        calls.append((command, options["env"]))
        return real_run(command, **options)

    monkeypatch.setattr(subprocess, "run", watching)
    with_password = postgres_url.replace("postgres@", "postgres:s3cret-word@")  # trust auth ignores it
    assert run("backup", tmp_path / "a.backup", "--database", with_password).exit_code == 0
    ((command, environment),) = calls
    assert "s3cret-word" not in " ".join(command) and environment["PGPASSWORD"] == "s3cret-word"
    assert "--format=custom" in command

    monkeypatch.setenv("PATH", str(tmp_path))
    result = run("backup", tmp_path / "b.backup", "--database", postgres_url)
    assert result.exit_code == 1 and "pg_dump not found" in result.output
    assert not (tmp_path / "b.backup").exists()
