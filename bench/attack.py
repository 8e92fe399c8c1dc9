"""The outside attack on the JSON API as production runs it: schemathesis against gunicorn.

gunicorn with several workers in the production configuration, on a PostgreSQL database of
this run's own filled by the simulation (real cases in every state), rate limits in Redis.
Every role signs in and chooses its own password, as a first production sign-in must; then
schemathesis runs all its phases (examples, coverage, fuzzing and stateful: responses feed
the next requests through the document's links) with every check, as each role in turn, twice:
once with generated identifiers, once with the path parameters fixed to real rows (an open
task of the role's kind, its case, a ledger entry) so that requests reach the rules behind
the lookups.
The endpoints that end the fuzzer's own sign-in are left to tests/test_hostile_api.py.

    python -m bench.attack                      # ~25,000 requests; prints the figures per role
    python -m bench.attack --max-examples 5     # a short run

Prints, per role, the requests made, the 5xx answers and the check failures; exits 1 when a
5xx or a failure was found (schemathesis's own report lists each with a curl to replay it).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.databases import PG_DEFAULT, postgres_problem, scratch_database
from bench.serving import BIN, gunicorn, log_errors, onewindow, production_environment, signed_in

ACCOUNTS = (("clerk1", "clerk"), ("scjg_approver1", "approver"), ("scjg_chief", "chief"),
            ("supervisor", "supervisor"), ("director", "director"), ("admin", "admin"))
# Ending one's own token or password mid-run signs the fuzzer out (401 from then on).
SIGN_OUT_PATHS = r"^/api/v1/auth/(token|tokens/.*|password|staff/.*/tokens)$"
# A 4xx for a schema-valid request is right where a business rule refuses it (a check digit,
# someone else's task); schemathesis cannot know those rules.
EXCLUDED_CHECKS = "positive_data_acceptance"


def real_identifiers(url: str) -> dict:
    """Path parameters that name real rows, so generated requests reach the rules behind a lookup:
    for each role an open task of its own kind and that task's case."""
    database = create_engine(url)
    with database.connect() as connection:
        rows = connection.execute(text(
            "SELECT t.role, t.id, c.number FROM human_task t JOIN service_case c ON c.id = t.case_id "
            "WHERE t.state = 'open' ORDER BY t.created_at")).all()
        entry = connection.execute(text("SELECT min(id) FROM ledger_entry")).scalar()
    database.dispose()
    by_role = {}
    for role, task_id, number in rows:
        by_role.setdefault(role, (task_id, number))
    return {"by_role": by_role, "entry_id": entry}


def config_file(path: Path, identifiers: dict, role: str) -> Path:
    """A schemathesis.toml fixing the path parameters to real rows for ``role``."""
    task_id, number = identifiers["by_role"].get(role) or next(iter(identifiers["by_role"].values()))
    values = {"path.number": number, "path.case_number": number, "path.task_id": task_id,
              "path.code": "SCJG-002", "path.item_code": "SCJG-002", "path.username": "clerk3",
              "path.year": 2026}
    if identifiers["entry_id"]:
        values["path.entry_id"] = identifiers["entry_id"]
    lines = ["[parameters]"] + [f'"{name}" = {value!r}'.replace("'", '"') for name, value in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def attack(base: str, token: str, max_examples: int, report: Path, config: Path | None = None) -> dict:
    # One schemathesis worker: with threads, Hypothesis 6 on Python 3.11 sometimes fails inside
    # its own lambda-source cache ("AST constructor recursion depth mismatch"), a tool error.
    command = [str(BIN / "schemathesis"), *(["--config-file", str(config)] if config else []), "run", f"{base}/api/openapi.json",
               "--phases", "examples,coverage,fuzzing,stateful", "--checks", "all",
               "--exclude-checks", EXCLUDED_CHECKS, "--exclude-path-regex", SIGN_OUT_PATHS,
               "-H", f"Authorization: Bearer {token}", "--max-examples", str(max_examples),
               "--seed", "7", "--workers", "1", "--request-timeout", "30", "--no-color",
               "--report", "har", "--report-har-path", str(report)]
    run = subprocess.run(command, capture_output=True, text=True)
    har = report.read_text() if report.exists() else ""
    statuses = [int(status) for status in re.findall(r'"status": (\d{3})', har)]
    return {"requests": len(statuses), "5xx": sum(status >= 500 for status in statuses),
            "exit": run.returncode, "output": run.stdout + run.stderr}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=5, help="examples per operation and phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--postgres", default=os.environ.get("ONEWINDOW_BENCH_PG", PG_DEFAULT))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--out", type=Path, default=Path("test-artifacts/attack"),
                        help="schemathesis's full report per role goes here")
    options = parser.parse_args()
    problem = postgres_problem(options.postgres)
    if problem:
        print(problem)
        return 1
    options.out.mkdir(parents=True, exist_ok=True)
    with scratch_database(options.postgres, "onewindow_attack") as url, tempfile.TemporaryDirectory() as scratch:
        base_environment = {**os.environ, "ONEWINDOW_DATABASE_URL": url}
        # Real cases in every state: a week of the simulated center.
        onewindow(base_environment, "simulate", "--days", "7", "--cases-per-day", "25", "--database", url)
        environment = production_environment(url, options.redis, "attack")
        log = Path(scratch) / "gunicorn.log"
        try:
            with gunicorn("web:create_app()", options.workers, environment, log) as (base, _server):
                totals, found = {"requests": 0, "5xx": 0}, False
                print(f"gunicorn -w {options.workers}, production configuration, PostgreSQL, Redis limits; "
                      f"schemathesis all phases, all checks but {EXCLUDED_CHECKS}, {options.max_examples} examples")
                identifiers = real_identifiers(url)
                for username, role in ACCOUNTS:
                    token = signed_in(base, username)
                    for kind in ("generated", "real rows"):
                        config = config_file(Path(scratch) / f"{username}.toml", identifiers, role) \
                            if kind == "real rows" else None
                        result = attack(base, token, options.max_examples, Path(scratch) / f"{username}-{kind}.har",
                                        config)
                        totals = {key: totals[key] + result[key] for key in totals}
                        found = found or result["exit"] != 0 or result["5xx"] > 0
                        summary = [line for line in result["output"].splitlines()
                                   if re.search(r"passed|failed|error", line)]
                        print(f"{username:15} {kind:10} requests {result['requests']:6}  5xx {result['5xx']:3}  "
                              f"schemathesis exit {result['exit']}  {summary[-1].strip('= ') if summary else ''}")
                        (options.out / f"{username}-{kind.replace(' ', '-')}.txt").write_text(result["output"])
                print(f"{'total':26} requests {totals['requests']:6}  5xx {totals['5xx']:3}  "
                      f"(reports in {options.out}/)")
        finally:
            errors = log_errors(log)
            print(f"server log: {len(errors)} error lines")
            for line in errors[:20]:
                print("  ", line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
