"""`onewindow attendance`: working hours shown and set, the punch clock's file imported or refused in one
line, a day computed, the weekly bulletin written to Excel."""

from datetime import timedelta

import pytest
from click.testing import CliRunner

from cli import main
from engine.clock import SystemClock


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    assert invoke("db", "upgrade").exit_code == 0
    assert invoke("demo", "seed").exit_code == 0
    return invoke


def test_attendance_from_the_command_line(run, tmp_path):
    shown = run("attendance", "hours")
    assert "winter: 09:00-12:00, 14:00-17:30" in shown.output and "summer 05-01..09-30" in shown.output
    changed = run("attendance", "hours", "--season", "winter", "--morning-start", "08:30", "--morning-end", "12:00",
                  "--afternoon-start", "14:00", "--afternoon-end", "17:30")
    assert changed.exit_code == 0 and "winter: 08:30-12:00" in changed.output
    refused = run("attendance", "hours", "--season", "winter", "--morning-start", "13:00", "--morning-end", "12:00",
                  "--afternoon-start", "14:00", "--afternoon-end", "17:30")
    assert refused.exit_code == 1 and "morning_end" in refused.output and "Traceback" not in refused.output
    today = SystemClock().today()   # Beijing's day, as the engine's
    yesterday = today - timedelta(days=1)
    punches = tmp_path / "clock.csv"
    punches.write_text(f"username,date,time_in,time_out\nclerk1,{yesterday},08:40,\nclerk2,{yesterday},8点,\n",
                       encoding="utf-8")
    bad = run("attendance", "import", str(punches), "--user", "supervisor")
    assert bad.exit_code == 1 and "第 3 行 time_in" in bad.output
    punches.write_text(f"username,date,time_in,time_out\nclerk1,{yesterday},08:40,17:30\n", encoding="utf-8")
    assert "1 rows imported" in run("attendance", "import", str(punches), "--user", "supervisor").output
    assert run("attendance", "compute", "--date", str(today)).exit_code == 1   # not over
    assert run("attendance", "compute", "--date", str(yesterday)).exit_code == 0
    out = tmp_path / "bulletin.xlsx"
    assert run("attendance", "bulletin", "--week", str(yesterday), "--user", "supervisor", "--out", str(out)).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"

