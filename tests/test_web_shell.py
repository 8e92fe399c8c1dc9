"""The web shell: refusals in the person's language, Beijing time, security headers on every
answer, no inline script or style, post/redirect/get, names not codes."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.clock import CHINA_TZ, beijing
from engine.errors import Conflict, InvalidInput, TooManyAttempts
from tests.helpers import csrf_token_of, intake, person
from tests.test_web_access import ACCOUNTS, _url

TEMPLATES = Path(__file__).parents[1] / "web" / "templates"
FOOD = "SCJG-002"  # 食品经营许可（新办）: 承诺件
HAN = re.compile(r"[\u4e00-\u9fff]")
LIBRARY_TEXT = ("is a required property", "Missing data", "per 1 minute", "Not a valid", "is too short")


def _explain(app, error, language):
    from web.refusals import explain

    with app.test_request_context(headers={"Accept-Language": language}):
        return explain(error)


@pytest.mark.parametrize(("error", "zh", "en"), [
    (InvalidInput("opinion: 'opinion' is a required property", field="opinion",
                  details={"rule": "required", "label": "审查意见"}), "请填写审查意见", "Please fill in Opinion"),
    (InvalidInput("opinion: 'x' is too short", field="opinion",
                  details={"rule": "minLength", "label": "审查意见", "limit": 2}),
     "审查意见至少需要 2 个字", "Opinion needs at least 2 characters"),
    (InvalidInput("applicant.phone: Missing data for required field.", field="applicant.phone",
                  details={"label": "申请人手机号", "reason": "Missing data for required field."}),
     "请填写申请人手机号", "Please fill in Applicant's phone number"),
    (InvalidInput("starts_on must be a date (YYYY-MM-DD)", field="starts_on", details={"rule": "date"}),
     "开始日期须为日期（年-月-日）", "Start date must be a date (year-month-day)"),
    (Conflict("办件 ZW2026112300001 自 2026-11-20 起已在暂停计时中 "
              "(case ZW2026112300001 is already suspended since 2026-11-20)", field="case_number"),
     "办件 ZW2026112300001 自 2026-11-20 起已在暂停计时中", "case ZW2026112300001 is already suspended since 2026-11-20"),
    (InvalidInput("用户名或密码错误 (wrong username or password)", field="username"),
     "用户名或密码错误", "wrong username or password"),
    (TooManyAttempts("登录失败次数过多 (too many failed sign-ins)", field="username",
                     details={"rule": "throttled", "until": "2026-11-23T02:15:00+00:00"}),
     "登录失败次数过多，请于 10:15（北京时间）后再试",
     "Too many failed sign-ins; try again after 10:15 (Beijing time)"),
])
def test_each_kind_of_refusal_in_chinese_and_english(app, error, zh, en):
    assert _explain(app, error, "zh-CN") == zh
    assert _explain(app, error, "en") == en


def test_beijing_time_whatever_the_machine_zone():
    moment = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
    assert beijing(moment) == "2026-11-24 01:30" and beijing(moment.replace(tzinfo=None), "%H:%M") == "01:30"
    assert beijing(moment.astimezone(CHINA_TZ)) == "2026-11-24 01:30"


def test_the_api_names_the_field_by_key_and_speaks_the_request_language(app):
    client = app.test_client()
    chinese = client.post("/api/v1/auth/token", json={"username": "clerk1"})
    english = client.post("/api/v1/auth/token", json={"username": "clerk1"}, headers={"Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 422
    assert chinese.json == {"code": "invalid_input", "message": "请填写密码", "field": "password"}
    assert english.json["message"] == "Please fill in Password" and english.json["field"] == "password"
    missing = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"})
    assert missing.json["message"] == "The page or record was not found"


def test_a_form_refusal_names_the_label_on_the_page_in_both_languages(sign_in, engine):
    clerk = sign_in("clerk1")
    received = intake(engine, FOOD)["received_materials"]
    form = {"csrf_token": clerk.csrf, "acceptable": "yes", "delivery_method": "pickup",
            "received_materials": received, **{f"applicant.{key}": value for key, value in person(phone="").items()}}
    page = clerk.post(f"/cases/new/{FOOD}", data=form).data.decode()
    assert "申请人手机号" in page and not any(text in page for text in LIBRARY_TEXT)
    clerk.get("/lang/en")
    page = clerk.post(f"/cases/new/{FOOD}", data=form).data.decode()
    assert "Applicant&#39;s phone number" in page and not any(text in page for text in LIBRARY_TEXT)


def test_the_sign_in_refusal_says_beijing_time(app, clock):
    client = app.test_client()
    for _ in range(6):
        refused = client.post("/login", data={"csrf_token": csrf_token_of(client.get("/login").data),
                                              "username": "clerk2", "password": "wrong-password"})
    until = (clock.now() + timedelta(minutes=1)).astimezone(CHINA_TZ).strftime("%H:%M")
    assert refused.status_code == 429 and f"请于 {until}（北京时间）后再试" in refused.data.decode()


def test_a_rate_limit_refusal_in_both_languages(db_url, clock):
    from engine.settings import EngineSettings
    from web import create_app

    limited = create_app({"TESTING": True, "RATELIMIT_ENABLED": True}, settings=EngineSettings(database_url=db_url),
                         clock=clock)
    client = limited.test_client()
    question = {"number": "ZW2099010100001", "phone_tail": "1234"}
    answers = [client.post("/api/v1/progress", json=question) for _ in range(11)]
    assert answers[-1].status_code == 429
    assert answers[-1].json["message"] == "操作过于频繁：每分钟最多 10 次，请稍后再试"
    english = client.post("/api/v1/progress", json=question, headers={"Accept-Language": "en"})
    assert english.json["message"] == "Too many attempts: at most 10 per minute; please try again later"
    limited.extensions["onewindow"].db.dispose()


# -- headers ---------------------------------------------------------------------------------

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
}


def _check_headers(response, where):
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                      "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"):
        assert directive in policy, f"{where}: {directive} missing from {policy!r}"
    assert "unsafe-inline" not in policy, where
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{where}: {name}"
    assert "Strict-Transport-Security" not in response.headers, where


def _get_routes(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]


@pytest.mark.parametrize("role", [None, *sorted(ACCOUNTS)])
def test_every_page_and_api_answer_carries_the_security_headers(app, sign_in, role):
    client = sign_in(ACCOUNTS[role]) if role else app.test_client()
    routes = _get_routes(app)
    assert len(routes) > 20
    for rule in routes:
        _check_headers(client.get(_url(rule)), f"{role} GET {rule.rule}")
    _check_headers(client.post("/api/v1/auth/token", json={}), "POST /api/v1/auth/token")
    _check_headers(client.get("/static/css/app.css"), "static")


def test_hsts_only_behind_tls(db_url, clock):
    from engine.settings import EngineSettings
    from web import create_app

    behind = create_app({"TESTING": True, "BEHIND_TLS": True}, settings=EngineSettings(database_url=db_url), clock=clock)
    assert behind.test_client().get("/login").headers["Strict-Transport-Security"].startswith("max-age=")
    behind.extensions["onewindow"].db.dispose()


def test_the_behind_tls_flag_comes_from_the_environment(monkeypatch):
    from web.config import Config

    monkeypatch.setenv("ONEWINDOW_BEHIND_TLS", "1")
    assert Config.from_environment()["BEHIND_TLS"] is True
    monkeypatch.setenv("ONEWINDOW_BEHIND_TLS", "0")
    assert Config.from_environment()["BEHIND_TLS"] is False


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on*= handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            found += [f"{path.relative_to(TEMPLATES)}: {what}: {match.group(0)}" for match in pattern.finditer(text)]
    assert not found, found


def test_the_api_docs_run_without_inline_script(app):
    page = app.test_client().get("/api/docs")
    text = page.data.decode()
    assert page.status_code == 200 and "js/swagger.js" in text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)


# -- post/redirect/get -------------------------------------------------------------------------

def _form_posts(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods and not rule.rule.startswith("/api/")]


def test_no_successful_form_post_answers_a_page(app, sign_in, engine, staff):
    """Every form POST of the app, as a role allowed to make it: it is refused (4xx) or it
    succeeds with 303 See Other to a page; it never succeeds with a page of its own."""
    from engine.permissions import holds_role

    case = engine.create_case(staff["clerk1"], FOOD, person(phone="13800005678"), intake(engine, FOOD))
    known = {"number": case.number, "phone_tail": "5678", "username": "clerk1", "password": "onewindow-demo"}
    succeeded = set()
    for rule in _form_posts(app):
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", None) or ()
        for role, username in sorted(ACCOUNTS.items()):
            if roles and not holds_role(staff[username], roles):
                continue
            client = sign_in(username) if roles or rule.endpoint == "auth.logout" else app.test_client()
            token = client.csrf if hasattr(client, "csrf") else csrf_token_of(client.get("/login").data)
            response = client.post(_url(rule), data={"csrf_token": token, **known})
            assert response.status_code == 303 or 400 <= response.status_code < 500, \
                f"{role} POST {rule.rule} -> {response.status_code}"
            if response.status_code == 303:
                succeeded.add(rule.endpoint)
            break
    assert {"auth.login", "auth.logout", "public.lookup"} <= succeeded


def test_a_redirect_after_a_post_is_see_other(app, sign_in):
    clerk = sign_in("clerk1")
    signed_out = clerk.post("/logout", data={"csrf_token": clerk.csrf})
    assert signed_out.status_code == 303
    assert app.test_client().get("/").status_code == 302  # a GET's redirect stays as it was


# -- layout ------------------------------------------------------------------------------------

def test_the_layout_names_the_department_links_a_favicon_and_says_when_a_table_is_empty(app, sign_in):
    page = sign_in("scjg_approver1").get("/tasks/").data.decode()
    assert "市场监督管理局" in page and "· SCJG" not in page
    assert 'rel="icon"' in page and app.test_client().get("/static/favicon.svg").status_code == 200
    assert 'data-empty-text="暂无数据"' in page
    clerk = sign_in("clerk1")
    assert "综合窗口（中心）" in clerk.get("/cases/").data.decode()
    clerk.get("/lang/en")
    english = clerk.get("/cases/").data.decode()
    assert "Comprehensive window (center)" in english and 'data-empty-text="No data"' in english
    who = english.split('class="who">')[1].split("</span>")[0]
    assert "Window clerk" in who and not HAN.search(who.split(" · ", 1)[1])  # the name stays as written


# -- English mode ------------------------------------------------------------------------------

def test_every_enum_label_and_form_title_has_its_english():
    """Statuses, case types, grades, channels, ratings and the forms' titles are shown through
    gettext; each needs its English (a missing one would show Chinese on an English page)."""
    import json

    from engine.catalogue.models import CASE_TYPES
    from engine.clockstop.models import SUSPENSION_KINDS
    from engine.ledger import scores
    from engine.supervision.models import BAD_RATINGS, CHANNELS, GOOD_RATINGS
    from engine.supervision.service import CENTER_WINDOW_NAME
    from engine.workflow.properties import CASE_STATUSES
    from tests.test_i18n import _english

    english = _english()
    labels = {*CASE_STATUSES, *CASE_TYPES, *CHANNELS, *GOOD_RATINGS, *BAD_RATINGS, *SUSPENSION_KINDS,
              scores.EXCELLENT, scores.COMPETENT, scores.BASIC, scores.INCOMPETENT, CENTER_WINDOW_NAME}

    def titles(node):
        if isinstance(node, dict):
            if isinstance(node.get("title"), str):
                yield node["title"]
            yield from (label for value in node.values() for label in titles(value))
        elif isinstance(node, list):
            yield from (label for value in node for label in titles(value))

    forms = Path(__file__).parents[1] / "processes" / "forms"
    for path in forms.glob("*.schema.json"):
        labels |= set(titles(json.loads(path.read_text(encoding="utf-8"))))
    missing = sorted(label for label in labels if not english.get(label) or HAN.search(english[label]))
    assert not missing, missing


def test_key_pages_in_english_show_no_chinese_labels(sign_in, engine, staff):
    engine.create_case(staff["clerk1"], FOOD, person(phone="13800005678"), intake(engine, FOOD))
    clerk = sign_in("clerk1")
    clerk.get("/lang/en")
    page = clerk.get("/cases/").data.decode()
    for chinese in ("已受理", "承诺件", "即办件", "窗口受理"):
        assert chinese not in page, chinese
    supervisor = sign_in("supervisor")
    supervisor.get("/lang/en")
    complaints = supervisor.get("/supervision/complaints").data.decode()
    assert ">12345 hotline<" in complaints and ">12345热线<" not in complaints  # the value posted stays the key
