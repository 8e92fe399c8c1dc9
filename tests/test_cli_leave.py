"""`onewindow leave` on both databases, as the person named by ``--user``: request (a half day; the AB
rule refusing a cover at once), list, the two approvals, refusal, withdrawal and return."""

from datetime import timedelta

import pytest
from click.testing import CliRunner

from cli import main
from engine.clock import SystemClock


@pytest.fixture
def run(db_url, monkeypatch):
    """The command line on the seeded demo center of each database (the commands read the real clock)."""
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", db_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def test_leave_from_the_command_line(run, engine):
    today = SystemClock().today()
    first = today + timedelta(days=7)
    last = first + timedelta(days=1)
    # zrgh_approver1 is no window's A post: no AB absence, so any year the calendar knows or not.
    asked = run("leave", "request", "--user", "zrgh_approver1", "--kind", "sick", "--from", str(first), "--to",
                str(last), "--reason", "手术复查", "--cover", "zrgh_approver2", "--starts-half", "pm")
    assert asked.exit_code == 0, asked.output
    leave_id = asked.output.split("\t")[0].lstrip("#")
    assert f"{first} pm..{last}" in asked.output and "requested" in asked.output
    later = first + timedelta(days=7)
    while not engine.calendar.get().is_working_day(later):   # the AB rule guards working days only
        later += timedelta(days=1)
    refused = run("leave", "request", "--user", "scjg_approver1", "--kind", "sick", "--from", str(later), "--to",
                  str(later), "--reason", "复查", "--cover", "zrgh_approver1")   # not SCJG-01's B post (asked first)
    assert refused.exit_code == 1 and "Traceback" not in refused.output and "SCJG-01" in refused.output, refused.output
    assert f"#{leave_id}" in run("leave", "list", "--user", "zrgh_chief", "--scope", "to_approve").output
    assert "department_approved" in run("leave", "approve", leave_id, "--user", "zrgh_chief").output
    own = run("leave", "approve", leave_id, "--user", "zrgh_approver1")
    assert own.exit_code == 1 and "own" in own.output
    assert "\tapproved" in run("leave", "approve", leave_id, "--user", "supervisor").output
    back = run("leave", "return", leave_id, "--user", "zrgh_approver1")
    assert back.exit_code == 0 and "returned" in back.output
    second = run("leave", "request", "--user", "scjg_approver2", "--kind", "personal", "--from", str(first), "--to",
                 str(first), "--reason", "家中有事").output.split("\t")[0].lstrip("#")
    assert "department_approved" in run("leave", "approve", second, "--user", "scjg_chief").output
    denied = run("leave", "refuse", second, "--user", "supervisor", "--reason", "当日窗口无人")
    assert denied.exit_code == 0 and "refused (center: 当日窗口无人)" in denied.output
    third = run("leave", "request", "--user", "scjg_approver2", "--kind", "personal", "--from", str(last), "--to",
                str(last), "--reason", "家中有事").output.split("\t")[0].lstrip("#")
    assert "withdrawn" in run("leave", "withdraw", third, "--user", "scjg_approver2").output
    mine = run("leave", "list", "--user", "scjg_approver2").output
    assert mine.count("#") == 2 and "withdrawn" in mine and "refused" in mine
    assert "暂无数据" in run("leave", "list", "--user", "clerk3").output
