"""The setup commands over the same engine calls as the pages: catalogue export, calendar preview
and correction, process versions."""

import tomllib

from tests.test_cli import run  # noqa: F401 (the fixture)


def test_the_catalogue_exports_and_loads_back(run, tmp_path):  # noqa: F811
    run("demo", "seed")
    out = tmp_path / "catalogue.toml"
    result = run("catalogue", "export", str(out))
    assert result.exit_code == 0 and "exported 13 items" in result.output
    assert len(tomllib.loads(out.read_text(encoding="utf-8"))["items"]) == 13
    assert "all valid" in run("catalogue", "check", str(out)).output
    assert "loaded 13 items" in run("catalogue", "load", str(out)).output


def test_the_calendar_previews_and_corrects_and_processes_are_listed(run, tmp_path):  # noqa: F811
    run("demo", "seed")
    schedule = tmp_path / "2027.csv"
    schedule.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    preview = run("calendar", "import", str(schedule), "--preview")
    assert "2027: 1 days would change" in preview.output and "ordinary  -> holiday 元旦" in preview.output
    assert "UNKNOWN" in run("calendar", "show", "2027").output  # a preview imports nothing
    corrected = run("calendar", "correct", "2026-12-31", "--kind", "holiday", "--name", "临时休假", "--user", "admin")
    assert corrected.exit_code == 0 and "2026-12-31: ordinary -> holiday 临时休假" in corrected.output
    refused = run("calendar", "correct", "2026-12-31", "--kind", "holiday", "--name", "x", "--user", "clerk1")
    assert refused.exit_code == 1 and "系统管理员" in refused.output
    assert "one_window v1 (current)" in run("process", "list").output
