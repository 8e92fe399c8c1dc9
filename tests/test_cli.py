"""The onewindow command line: every command works, and bad input gives a one-line error."""

import ast
import os
import socket
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, inspect, select

from cli import main
from engine.cases.models import Case
from engine.clock import SystemClock
from engine.simulation.run import Settings, simulate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    assert invoke("db", "upgrade").exit_code == 0
    return invoke


def test_setting_up_a_center_from_the_command_line(run, tmp_path):
    result = run("demo", "seed")
    assert result.exit_code == 0 and "示范市政务服务中心" in result.output
    assert "no process changed" in run("process", "deploy").output
    shown = run("calendar", "show", "2026")
    assert "official" in shown.output and "2026-10-10  上班" in shown.output
    assert "UNKNOWN" in run("calendar", "show", "2027").output
    schedule = tmp_path / "2027.csv"
    schedule.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    result = run("calendar", "import", str(schedule), "--source", "国办发明电")
    assert result.exit_code == 0 and "imported 1 days of 2027" in result.output
    assert "official" in run("calendar", "show", "2027").output


def test_bad_files_get_a_clear_error_not_a_traceback(run, tmp_path):
    run("demo", "seed")
    schedule = tmp_path / "bad.csv"
    schedule.write_text("date,kind,name\n2027-01-04,workday,调休\n", encoding="utf-8")
    result = run("calendar", "import", str(schedule))
    assert result.exit_code == 1 and f"Error: calendar file {schedule}: 第 2 行：2027-01-04 是工作日" in result.output
    assert "(line 2: 2027-01-04 is a weekday" in result.output  # the CLI prints both languages
    catalogue = tmp_path / "bad.toml"
    catalogue.write_text('center_name = "x"\n[[departments]]\ncode = "AB"\nname = "甲"\nshort_name = "甲"\n'
                         '[[items]]\ncode = "AB-001"\nname = "事项"\n', encoding="utf-8")
    result = run("catalogue", "check", str(catalogue))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: 事项 AB-001：" in result.output and "(item AB-001: " in result.output  # both languages
    processes = tmp_path / "processes"
    processes.mkdir()
    (processes / "broken.bpmn").write_text("<bpmn:definitions", encoding="utf-8")
    result = run("process", "deploy", "--dir", str(processes))
    assert result.exit_code == 1 and "not well-formed" in result.output


def test_commands_on_a_database_not_yet_migrated_say_to_upgrade_and_change_nothing(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", url)
    runner = CliRunner()
    for command in (["demo", "seed"], ["leave", "list", "--user", "clerk1"], ["calendar", "show", "2026"]):
        result = runner.invoke(main, command, catch_exceptions=False)
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert "onewindow db upgrade" in result.output and "数据库结构版本为 空" in result.output
    probe = create_engine(url)
    assert inspect(probe).get_table_names() == []
    probe.dispose()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["demo", "seed"]).exit_code == 0


def test_commands_on_a_database_that_cannot_be_reached_say_so_in_one_line(monkeypatch):
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/onewindow?connect_timeout=2")
    for command in (["calendar", "show", "2026"], ["leave", "list", "--user", "clerk1"]):
        result = CliRunner().invoke(main, command, catch_exceptions=False)
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert "the database could not be reached or failed" in result.output and "Connection refused" in result.output


def test_simulate_command_prints_daily_and_final_summaries(run, tmp_path):
    database = f"sqlite:///{tmp_path / 'sim.sqlite'}"
    result = run("simulate", "--days", "3", "--cases-per-day", "8", "--start", "2026-11-23", "--database", database)
    assert result.exit_code == 0, result.output
    assert "2026-11-23 周一" in result.output and "合计" in result.output and "按期办结率" in result.output and "现场办结率 (on-site rate" in result.output
    again = run("simulate", "--days", "1", "--database", database)
    assert again.exit_code == 1 and "already holds" in again.output


def test_simulation_runs_through_the_engine_on_both_databases(db_url):
    lines = []
    summary = simulate(db_url, Settings(days=6, cases_per_day=12, seed=3, start=date(2026, 9, 28)), write=lines.append)
    figures = dict(line.split(": ", 1) for line in summary if ": " in line)
    received, accepted = int(figures["收件"]), int(figures["受理"])
    assert received > 20 and 0 < accepted <= received
    assert int(figures["按期"]) + int(figures["超期办结"]) == int(figures["办结"])
    # Across National Day (1-7 October) only the working days before it receive applications.
    from engine.runtime import CaseEngine
    engine = CaseEngine(db_url)
    with engine.session() as session:
        days = {day for day in session.scalars(select(Case.received_on).distinct())}
        assert session.scalar(select(func.count()).select_from(Case)) == received
    engine.db.dispose()
    assert days == {date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30)}
    assert len([line for line in lines if line.startswith("2026-")]) == 6


def test_scheduler_and_ledger_commands(run, tmp_path):
    run("demo", "seed")
    result = run("scheduler", "--once")
    assert result.exit_code == 0 and result.output.strip() == "timers: 0, deadlines: 0, attendance: 0, ratings: 0, notifications: 0, enquiries: 0"
    assert run("scheduler", "--once").output.strip() == "another scheduler holds the lease"
    assert "must be longer than --interval" in run("scheduler", "--interval", "30", "--lease", "10").output
    result = run("ledger", "record", "--user", "supervisor", "--staff", "clerk1", "--rule", "JF-01",
                 "--date", SystemClock().today().isoformat(), "--evidence", "申请人赠送锦旗")
    assert result.exit_code == 0 and "JF-01 10.0" in result.output
    scores = run("ledger", "scores", SystemClock().today().strftime("%Y-%m"))
    assert "王晓燕" in scores.output and "110" in scores.output
    out = tmp_path / "ledger.xlsx"
    result = run("ledger", "export", SystemClock().today().strftime("%Y-%m"), "--user", "supervisor", "--out", str(out))
    assert result.exit_code == 0 and out.stat().st_size > 0
    refused = run("ledger", "record", "--user", "clerk2", "--staff", "clerk1", "--rule", "JL-05",
                  "--date", SystemClock().today().isoformat(), "--evidence", "迟到")
    assert refused.exit_code == 1 and "only supervisors keep the scoring ledger" in refused.output
    assert run("ledger", "scores", "2026-13").exit_code == 1
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\ncode = "XX-01"\nname = "x"\ncategory = "工作形象"\npoints = -99\n'
                     'unit = "occurrence"\nsource = "x"\n', encoding="utf-8")
    result = run("ledger", "rules", str(rules), "--check")
    assert result.exit_code == 1 and "rule XX-01: points" in result.output


def test_the_ledger_schemes_windows_and_feedback_commands(run, tmp_path):
    from engine.ledger.rules import PIAN7_RULES

    run("demo", "seed")
    month = SystemClock().today().strftime("%Y-%m")
    checked = run("ledger", "rules", str(PIAN7_RULES), "--check")
    assert checked.exit_code == 0 and "45 rules of scheme 篇七 valid" in checked.output
    windows = run("ledger", "windows", month, "--user", "supervisor")
    assert windows.exit_code == 0 and "ZH-01" in windows.output and "优秀窗口" in windows.output
    departments = run("ledger", "departments", month, "--user", "supervisor")
    assert departments.exit_code == 0 and "SCJG" in departments.output
    out = tmp_path / "feedback.xlsx"
    result = run("ledger", "feedback", month, "--department", "SCJG", "--user", "supervisor", "--out", str(out))
    assert result.exit_code == 0 and out.stat().st_size > 0
    assert run("ledger", "windows", month, "--user", "clerk1").exit_code == 1
    loaded = run("ledger", "rules", str(PIAN7_RULES))
    assert loaded.exit_code == 0 and "45 rules of scheme 篇七 loaded" in loaded.output


def test_db_check_reports_a_consistent_database_and_finds_a_broken_one(engine, db_url, staff):
    from click.testing import CliRunner
    from sqlalchemy import delete

    from cli import main
    from engine.tasks.models import HumanTask
    from tests.helpers import intake, person

    engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    runner = CliRunner()
    healthy = runner.invoke(main, ["db", "check", "--database", db_url])
    assert healthy.exit_code == 0, healthy.output
    assert "every case is consistent" in healthy.output
    with engine.transaction() as session:
        session.execute(delete(HumanTask))
    broken = runner.invoke(main, ["db", "check", "--database", db_url])
    assert broken.exit_code == 1 and "ZW" in broken.output and "findings" in broken.output


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (this one has Flask loaded already)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


def test_commands_other_than_serve_never_build_flask(tmp_path):
    done = _python("""
        import sys
        from cli import main
        for command in (["db", "upgrade"], ["demo", "seed"], ["calendar", "show", "2026"], ["scheduler", "--once"]):
            main(command, standalone_mode=False)
        print("loaded:", sorted({name.split(".")[0] for name in sys.modules} & {"flask", "web"}))
    """, {"ONEWINDOW_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"})
    assert done.returncode == 0, done.stderr
    assert "示范市政务服务中心" in done.stdout and "timers: 0, deadlines: 0, attendance: 0, ratings: 0, notifications: 0, enquiries: 0" in done.stdout
    assert done.stdout.strip().endswith("loaded: []")


def _imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level packages each module of ``package`` imports, anywhere in the module."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_the_engine_knows_no_flask_and_the_web_no_scheduler_or_cli():
    engine_reaches = {module: names & {"flask", "flask_babel", "web", "scheduler", "cli"}
                      for module, names in _imported_packages("engine").items()}
    web_reaches = {module: names & {"scheduler", "apscheduler", "cli"}
                   for module, names in _imported_packages("web").items()}
    assert {module: names for module, names in {**engine_reaches, **web_reaches}.items() if names} == {}


def test_commands_read_the_engine_settings_from_the_environment(run, monkeypatch):
    run("demo", "seed")
    month = SystemClock().today().strftime("%Y-%m")
    run("ledger", "record", "--user", "supervisor", "--staff", "clerk1", "--rule", "JF-01",
        "--date", SystemClock().today().isoformat(), "--evidence", "申请人赠送锦旗")
    (line,) = [line for line in run("ledger", "scores", month).output.splitlines() if "clerk1" in line]
    assert " 110" in line and "优秀" in line
    monkeypatch.setenv("ONEWINDOW_GRADE_EXCELLENT", "120")
    (line,) = [line for line in run("ledger", "scores", month).output.splitlines() if "clerk1" in line]
    assert " 110" in line and "优秀" not in line and "称职" in line
    monkeypatch.setenv("ONEWINDOW_WARNING_DAYS_LEFT", "two")
    result = run("ledger", "scores", month)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: ONEWINDOW_WARNING_DAYS_LEFT='two' is not a whole number"


def test_serve_refuses_a_busy_port_before_it_touches_the_database(tmp_path, monkeypatch):
    database = tmp_path / "serve.sqlite"
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{database}")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Error: cannot serve on 127.0.0.1:{port}: Address already in use" in result.output
    assert "choose another --port" in result.output and "Traceback" not in result.output
    assert not database.exists()  # neither migrated nor seeded


def test_admin_create_reads_the_password_from_stdin_and_checks_it(tmp_path, monkeypatch):
    from engine.staff.models import Staff
    from engine.staff.passwords import verify

    database = f"sqlite:///{tmp_path / 'admin.sqlite'}"
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", database)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    weak = runner.invoke(main, ["admin", "create", "boss", "--name", "张管理", "--password-stdin"], input="12345\n")
    assert weak.exit_code == 1 and "10-200" in weak.output
    created = runner.invoke(main, ["admin", "create", "boss", "--name", "张管理", "--password-stdin"],
                            input="Harbour-lights-ninety-7\n")
    assert created.exit_code == 0, created.output
    assert "Harbour" not in created.output
    from engine.runtime import CaseEngine
    engine = CaseEngine(database)
    with engine.session() as session:
        boss = session.scalar(select(Staff).where(Staff.username == "boss"))
        assert boss.role == "admin" and not boss.must_change_password and verify(boss, "Harbour-lights-ninety-7")
    engine.db.dispose()
    again = runner.invoke(main, ["admin", "create", "boss", "--name", "张管理", "--password-stdin"],
                          input="Harbour-lights-ninety-7\n")
    assert again.exit_code == 1 and "taken" in again.output


def test_admin_create_prompts_twice_without_echo(tmp_path, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{tmp_path / 'prompt.sqlite'}")
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    typed = runner.invoke(main, ["admin", "create", "boss", "--name", "张管理"],
                          input="Harbour-lights-ninety-7\nHarbour-lights-ninety-7\n")
    assert typed.exit_code == 0 and "Repeat for confirmation" in typed.output
    assert "Harbour" not in typed.output  # hidden input is not echoed


def test_demo_seed_is_refused_in_production_unless_forced(tmp_path, monkeypatch):
    from engine.staff.models import Staff

    database = f"sqlite:///{tmp_path / 'prod.sqlite'}"
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", database)
    monkeypatch.setenv("ONEWINDOW_CONFIG", "production")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    refused = runner.invoke(main, ["demo", "seed"])
    assert refused.exit_code == 1 and "production" in refused.output and "admin create" in refused.output
    forced = runner.invoke(main, ["demo", "seed", "--force"])
    assert forced.exit_code == 0, forced.output
    from engine.runtime import CaseEngine
    engine = CaseEngine(database)
    with engine.session() as session:
        clerk = session.scalar(select(Staff).where(Staff.username == "clerk1"))
        assert clerk.is_demo and clerk.must_change_password
    engine.db.dispose()


def test_serve_in_production_without_an_administrator_says_how_to_create_one(tmp_path, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.sqlite'}")
    monkeypatch.setenv("ONEWINDOW_CONFIG", "production")
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("ONEWINDOW_RUN_SCHEDULER", "false")
    monkeypatch.setenv("ONEWINDOW_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")  # production refuses memory://
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1 and "onewindow admin create" in result.output
