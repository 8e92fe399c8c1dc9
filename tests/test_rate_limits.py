"""Rate limits that hold: one store shared by every worker (Redis in production), the client's address
through a configured number of trusted proxies, and a per-case budget for the public lookup."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine.settings import EngineSettings
from tests.helpers import csrf_token_of, intake, person

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("ONEWINDOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# One key prefix per run and process: parallel runs share the Redis server, never a counter.
PREFIX = f"onewindow-test-{os.environ.get('ONEWINDOW_TEST_RUN', 'local')}-{os.getpid()}"
FOOD_LICENCE = "SCJG-002"


def _app(db_url, clock, **config):
    from web import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": True, **config},
                      settings=EngineSettings(database_url=db_url), clock=clock)


@pytest.fixture
def limited(db_url, clock):
    apps = []

    def build(**config):
        apps.append(_app(db_url, clock, **config))
        return apps[-1]
    yield build
    for app in apps:
        app.extensions["onewindow"].db.dispose()


def _ask(client, number, tail="1234", **environ):
    return client.post("/api/v1/progress", json={"number": number, "phone_tail": tail}, environ_base=environ)


def _unknown(n: int) -> str:
    return f"ZW20990101{n:05d}"


def test_behind_a_trusted_proxy_each_applicant_has_his_own_budget(limited):
    client = limited(TRUSTED_PROXIES=1).test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = [_ask(client, _unknown(n), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code for n in range(11)]
    second = [_ask(client, _unknown(n), HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code for n in range(11)]
    assert first == second == [404] * 10 + [429]


def test_without_trusted_proxies_a_forged_forwarded_for_buys_nothing(limited):
    client = limited().test_client()
    statuses = [_ask(client, _unknown(n), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(11)]
    assert statuses == [404] * 10 + [429]


def test_a_case_rests_after_five_wrong_answers_a_day_from_anywhere(limited, engine, staff):
    app = limited(TRUSTED_PROXIES=1)
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone="13912345678"), intake(engine, FOOD_LICENCE))
    other = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone="13912345678"), intake(engine, FOOD_LICENCE))
    client = app.test_client()

    def ask(number, tail, n):
        return _ask(client, number, tail, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    guesses = [ask(case.number, f"{n:04d}", n) for n in range(6)]
    nowhere = [ask(_unknown(1), f"{n:04d}", n) for n in range(6)]
    # No such case and wrong digits: the same status and message, then the same rest.
    assert [r.status_code for r in guesses] == [r.status_code for r in nowhere] == [404] * 5 + [429]
    assert [r.json for r in guesses] == [r.json for r in nowhere]
    assert guesses[-1].json["message"] == "操作过于频繁：每天最多 5 次，请稍后再试"
    assert ask(case.number, "5678", 50).status_code == 429  # even the right digits wait: the case rests
    assert ask(other.number, "5678", 51).status_code == 200  # other cases are not touched
    assert ask(other.number, "5678", 52).status_code == 200  # right answers do not count


def test_the_page_says_no_such_case_and_wrong_digits_alike(limited, engine, staff):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone="13912345678"), intake(engine, FOOD_LICENCE))
    client = limited(RATELIMIT_ENABLED=False).test_client()
    token = csrf_token_of(client.get("/progress/").data)
    pages = [client.post("/progress/", data={"csrf_token": token, "number": number, "phone_tail": tail})
             for number, tail in ((case.number, "0000"), (_unknown(1), "5678"))]
    assert pages[0].status_code == pages[1].status_code == 404

    def refusal(page):
        return re.search(r'class="flash error" role="alert">(.*?)<', page.data.decode(), re.S).group(1).strip()
    assert refusal(pages[0]) == refusal(pages[1]) != ""


def test_production_refuses_per_process_counters(monkeypatch):
    from web.config import ProductionConfig

    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", "x")
    monkeypatch.delenv("ONEWINDOW_RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(RuntimeError, match="production needs a shared ONEWINDOW_RATELIMIT_STORAGE_URI"):
        ProductionConfig.from_environment()
    monkeypatch.setenv("ONEWINDOW_RATELIMIT_STORAGE_URI", REDIS_URL)
    monkeypatch.setenv("ONEWINDOW_TRUSTED_PROXIES", "1")
    assert ProductionConfig.from_environment() == {"SECRET_KEY": "x", "RATELIMIT_STORAGE_URI": REDIS_URL,
                                                   "TRUSTED_PROXIES": 1}


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is not reachable ({error}); it must run in CI")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {error}")
    return client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_documented_limit_holds_across_gunicorn_workers_on_redis(sqlite_template, tmp_path):
    """Two gunicorn workers on one Redis: 30 lookups from one address get exactly the documented 10."""
    redis = _redis()
    database = tmp_path / "gunicorn.sqlite"
    shutil.copyfile(sqlite_template, database)
    port = _free_port()
    log = tmp_path / "access.log"
    environment = {**os.environ, "ONEWINDOW_CONFIG": "production", "ONEWINDOW_SECRET_KEY": "gunicorn-test",
                   "ONEWINDOW_DATABASE_URL": f"sqlite:///{database}", "ONEWINDOW_RATELIMIT_STORAGE_URI": REDIS_URL,
                   "ONEWINDOW_RATELIMIT_KEY_PREFIX": PREFIX}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s", "web:create_app()"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api/v1/progress"
    try:
        deadline = time.monotonic() + 60
        while not (_up(port) and _status(f"http://127.0.0.1:{port}/login", None) == 200):
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()[-2000:]
            time.sleep(0.5)
        # Each worker builds its app when it starts: wait until both answer (pages do not count).
        while len(_workers(log, "200")) < 2:
            assert time.monotonic() < deadline, "only one gunicorn worker answered"
            with ThreadPoolExecutor(6) as pool:
                list(pool.map(lambda _: _status(f"http://127.0.0.1:{port}/login", None), range(12)))
            time.sleep(0.2)
        bodies = [f'{{"number": "{_unknown(n)}", "phone_tail": "1234"}}'.encode() for n in range(30)]
        with ThreadPoolExecutor(6) as pool:  # concurrent connections, so both workers answer
            statuses = Counter(pool.map(lambda body: _status(url, body), bodies))
        time.sleep(0.5)  # the access log is written after the answer
        workers = _workers(log, "404", "429")
        print(f"gunicorn x2 on Redis: {dict(statuses)} from workers {sorted(workers)}")
        assert statuses == Counter({404: 10, 429: 20})
        assert len(workers) == 2
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        keys = list(redis.scan_iter(f"*{PREFIX}*"))
        if keys:
            redis.delete(*keys)


def _workers(log: Path, *statuses: str) -> set[str]:
    """The worker pids that answered with one of ``statuses`` (access log lines ``<pid> <status>``)."""
    lines = log.read_text().splitlines() if log.exists() else []
    return {line.split()[0] for line in lines if line.split()[-1] in statuses}


def _up(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
