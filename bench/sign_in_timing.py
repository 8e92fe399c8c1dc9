"""Does a failed sign-in's time tell whether the username exists? Measured with production argon2.

The demo center on a scratch SQLite file, the app in-process; wrong passwords for real accounts
and for unknown names, interleaved, each try from its own address (so the throttle never
answers early), fewer than the per-name allowance per account. The baseline is what any
sign-in must cost: one argon2id verification with the same parameters, timed in the same loop.

    python -m bench.sign_in_timing            # prints the medians and the known/unknown ratio
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine.staff import passwords, throttle

KNOWN = ("clerk1", "clerk2", "clerk3", "scjg_approver1", "supervisor")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=throttle.PAIR_FREE * 2 - 1,
                        help="wrong passwords per known account (below the per-name allowance)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["ONEWINDOW_DATABASE_URL"] = f"sqlite:///{Path(scratch) / 'timing.sqlite'}"
        onewindow = str(Path(sys.executable).parent / "onewindow")
        for command in (("db", "upgrade"), ("demo", "seed")):
            subprocess.run([onewindow, *command], check=True, stdout=subprocess.DEVNULL)
        from web import create_app

        client = create_app().test_client()
        reference = passwords.hash_password("reference-password")
        known, unknown, baseline = [], [], []
        address = 0
        for attempt in range(options.tries):
            for username in KNOWN:
                for name, times in ((username, known), (f"nobody_{attempt}_{username}", unknown)):
                    address += 1
                    started = time.perf_counter()
                    answer = client.post("/api/v1/auth/token", json={"username": name, "password": "wrong-password"},
                                         environ_base={"REMOTE_ADDR": f"10.{address // 65536}.{address // 256 % 256}"
                                                                      f".{address % 256}"})
                    times.append(time.perf_counter() - started)
                    assert answer.status_code == 422, answer.json
                started = time.perf_counter()
                passwords._hasher.verify(reference, "reference-password")
                baseline.append(time.perf_counter() - started)
    median = {name: statistics.median(times) * 1000 for name, times in
              (("known", known), ("unknown", unknown), ("argon2", baseline))}
    print(f"failed sign-ins, {len(known)} each, interleaved, production argon2id ({passwords._hasher.memory_cost} KiB, "
          f"t={passwords._hasher.time_cost}):")
    print(f"  known name   median {median['known']:7.1f} ms")
    print(f"  unknown name median {median['unknown']:7.1f} ms")
    print(f"  baseline: one argon2id verification {median['argon2']:7.1f} ms")
    print(f"  ratio known / unknown {median['known'] / median['unknown']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
