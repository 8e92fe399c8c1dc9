"""Hostile data files (issue 13, point 10): deep nesting and huge files get a clear refusal
naming the file (exit 1, no traceback), never a RecursionError."""

import pytest
from click.testing import CliRunner

from cli import main
from engine.errors import CatalogueError
from engine.validation import MAX_DATA_NESTING, read_toml_file

DEEP_ARRAYS = "a = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_TABLES = "a = " + "{b = " * 40 + "1" + "}" * 40 + "\n"
DOTTED = "a" + ".b" * 40 + " = 1\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    assert invoke("db", "upgrade").exit_code == 0
    return invoke


@pytest.mark.parametrize("content", [DEEP_ARRAYS, DEEP_TABLES, DOTTED])
def test_deep_nesting_is_refused_by_name(tmp_path, content):
    path = tmp_path / "deep.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError, match=f"catalogue file {path} nests .* more than {MAX_DATA_NESTING} levels"):
        read_toml_file(path, "catalogue")


@pytest.mark.parametrize("command", [("catalogue", "load"), ("catalogue", "check"), ("ledger", "rules")])
def test_the_commands_refuse_deep_files_without_a_traceback(run, tmp_path, command):
    path = tmp_path / "deep.toml"
    path.write_text(DEEP_ARRAYS, encoding="utf-8")
    result = run(*command, str(path))
    assert result.exit_code == 1 and str(path) in result.output and "nests" in result.output
    assert "Traceback" not in result.output and "RecursionError" not in result.output


def test_calendar_import_is_bounded_and_names_the_file(run, tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text("date,kind,name\n" + "2027-01-01,holiday,元旦\n" * 60_000, encoding="utf-8")
    assert huge.stat().st_size > 1024 * 1024
    result = run("calendar", "import", str(huge))
    assert result.exit_code == 1 and f"calendar file {huge} is larger than 1 MiB" in result.output
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00")
    result = run("calendar", "import", str(binary))
    assert result.exit_code == 1 and f"calendar file {binary} is not UTF-8" in result.output
    missing = run("calendar", "import", str(tmp_path / "missing.csv"))
    assert missing.exit_code == 1 and "cannot read calendar file" in missing.output
