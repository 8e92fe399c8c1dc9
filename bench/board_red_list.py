"""The board's working days late for its red list: per case against one walk back from today.

    python bench/board_red_list.py [--postgres URL] [--runs 20]

200 red cases due about three years ago, as the board lists the oldest; each run counts their
working days late twice, case by case through the calendar (as before migration 0028's change)
and in one walk (``engine.deadlines.board.working_days_late``), checks both agree and prints
the medians and maxima in ms. Asserts nothing else.
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import PG_DEFAULT, scratch_database  # noqa: E402
from bench.lifecycle import prepare  # noqa: E402
from engine.deadlines import board  # noqa: E402

TODAY = date(2026, 12, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    dues = [TODAY - timedelta(days=1095 - n // 10) for n in range(200)]
    with scratch_database(options.postgres, "onewindow_red_list") as url:
        engine, _ = prepare(url)
        calendar = engine.calendar.get()
        per_case, one_walk = [], []
        for _ in range(options.runs):
            started = time.perf_counter()
            each = {due: max(0, calendar.working_days_between(due, TODAY)) for due in dues}
            per_case.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            walked = board.working_days_late(calendar, dues, TODAY)
            one_walk.append((time.perf_counter() - started) * 1000)
            if each != walked:
                raise SystemExit("the two counts differ")
        engine.db.dispose()
    print(f"per case: p50 {statistics.median(per_case):.1f} ms, max {max(per_case):.1f}; "
          f"one walk: p50 {statistics.median(one_walk):.2f} ms, max {max(one_walk):.2f}")


if __name__ == "__main__":
    main()
