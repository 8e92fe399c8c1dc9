"""Running the application as production does, for the benchmarks that reach it from outside.

gunicorn in the production configuration (rate limits in Redis, no scheduler in the web
workers) on a database of the run's own; signing in as a first production sign-in must
(the demo password, then one's own); the CPU a process and its children have used, read
from /proc, so that a benchmark can say what the server spent apart from its own client.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from engine.demo import DEMO_PASSWORD

BIN = Path(sys.executable).parent
REPOSITORY = Path(__file__).resolve().parents[1]
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def onewindow(environment: dict, *args: str) -> None:
    subprocess.run([str(BIN / "onewindow"), *args], env=environment, check=True,
                   stdout=subprocess.DEVNULL)


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        try:
            if requests.get(url, timeout=10).status_code < 500:
                return
        except requests.RequestException:  # not listening yet, or busy starting
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def production_environment(database_url: str, redis_url: str, prefix: str) -> dict:
    """The environment of a production web server on ``database_url``; its limits counted in
    Redis under a key prefix of this run's own, so that runs never share a sign-in budget."""
    return {**os.environ, "ONEWINDOW_DATABASE_URL": database_url, "ONEWINDOW_CONFIG": "production",
            "ONEWINDOW_SECRET_KEY": secrets.token_hex(16), "ONEWINDOW_RUN_SCHEDULER": "false",
            "ONEWINDOW_RATELIMIT_STORAGE_URI": redis_url,
            "ONEWINDOW_RATELIMIT_KEY_PREFIX": f"{prefix}{secrets.token_hex(4)}"}


@contextlib.contextmanager
def gunicorn(application: str, workers: int, environment: dict, log: Path, ready_path: str = "/login",
             threads: int = 1):
    """Serve ``application`` (gunicorn's ``module:callable``) with ``workers`` workers (sync, or
    gthread with ``threads`` > 1); yield (base URL, the master process); stop it at the end."""
    port = free_port()
    with log.open("w") as log_file:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(workers), "--threads", str(threads),
                                   "-b", f"127.0.0.1:{port}", "--chdir", str(REPOSITORY), application],
                                  env=environment, stdout=log_file, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}{ready_path}", server)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def log_errors(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line]


def signed_in(base: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """A bearer token for ``username``; at a first production sign-in the account chooses its
    own password first, as a person must. A 429 (the sign-in limit) waits as it says."""
    first = _token(base, username, password)
    if _may_act(base, first["token"]):
        return first["token"]
    new_password = f"Bench-{secrets.token_hex(6)}-Run"
    changed = requests.post(f"{base}/api/v1/auth/password",
                            json={"old_password": password, "new_password": new_password},
                            headers={"Authorization": f"Bearer {first['token']}"})
    changed.raise_for_status()
    return _token(base, username, new_password)["token"]


def _may_act(base: str, token: str) -> bool:
    """False while the account must still choose its password (every other call is refused)."""
    return requests.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def _token(base: str, username: str, password: str) -> dict:
    while True:
        answer = requests.post(f"{base}/api/v1/auth/token", json={"username": username, "password": password})
        if answer.status_code != 429:
            answer.raise_for_status()
            return answer.json()
        time.sleep(float(answer.headers.get("Retry-After", 5)))


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (gunicorn's master and its workers)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
                pending.extend(int(child) for child in children)
    return found


def cpu_seconds(pids) -> dict[int, float]:
    """User plus system CPU of each live process in ``pids``."""
    used = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
    return used


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """Seconds used between two readings; a process that appeared in between counts whole."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
