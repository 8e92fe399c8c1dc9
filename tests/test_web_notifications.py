"""The outbox page and API (issue 17 points 3 and 7): the administrator sends a given-up delivery, or a
channel's, again (CSRF form and API), the scheduler's job delivers it to a real local receiver; the
channels and subscribers with their counts; the filters."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.audit.models import AuditEntry
from engine.outbox.models import FAILED, PENDING, SENT
from scheduler.jobs import deliver_notifications
from tests.conftest import actors
from tests.helpers import token_client
from tests.test_outbox import SECRET, _deliveries, _policy, _promised_case

PLATFORM = "webhook:platform"


@pytest.fixture
def app(db_url, clock, receiver):
    """The web app whose outbox logs and posts to the platform (a real local receiver), giving up at once."""
    from engine.settings import EngineSettings
    from engine.staff.tokens import TokenPolicy
    from web import create_app

    long_lived = TokenPolicy(idle=timedelta(days=3650), lifetime=timedelta(days=3650))
    settings = EngineSettings(database_url=db_url, tokens=long_lived,
                              notify=_policy(receiver, channels=("log",), backoff_seconds=10, max_attempts=1))
    application = create_app({"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": False},
                             settings=settings, clock=clock)
    yield application
    application.extensions["onewindow"].db.dispose()


@pytest.fixture
def engine(app):
    return app.extensions["onewindow"]


def _failed_case(engine, receiver):
    """A case whose first platform event the receiver refused (given up); its later ones wait."""
    case = _promised_case(engine, actors(engine))
    receiver.fail(1)
    deliver_notifications(engine)
    return case


def _platform(engine):
    return _deliveries(engine, PLATFORM)


def _platform_kinds(receiver, number) -> list[str]:
    bodies = [json.loads(r["body"]) for r in receiver.requests if r["path"] == "/events"]
    return [body["type"] for body in bodies if body["case"]["number"] == number]


def _retries(engine) -> list[AuditEntry]:
    with engine.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "notification_retry")))


def test_the_administrator_sends_a_failed_delivery_again_from_the_page(engine, receiver, sign_in, clock):
    case = _failed_case(engine, receiver)
    failed = _platform(engine)[0]
    assert failed.state == FAILED and _platform_kinds(receiver, case.number) == []
    admin = sign_in("admin")
    page = admin.get("/notifications/?state=failed")
    assert page.status_code == 200 and f'action="/notifications/{failed.id}/retry"' in page.text
    assert "重新发送" not in sign_in("supervisor").get("/notifications/").text  # he reads, he does not send

    no_token = admin.post(f"/notifications/{failed.id}/retry", data={"reason": "平台接口已恢复"})
    assert no_token.status_code == 400 and _platform(engine)[0].state == FAILED
    blank = admin.post(f"/notifications/{failed.id}/retry", data={"reason": " ", "csrf_token": admin.csrf})
    assert blank.status_code == 303 and _platform(engine)[0].state == FAILED
    assert "请填写事由" in admin.get("/notifications/").text
    done = admin.post(f"/notifications/{failed.id}/retry", data={"reason": "平台接口已恢复", "csrf_token": admin.csrf})
    assert done.status_code == 303 and done.headers["Location"].endswith("/notifications/")
    assert (_platform(engine)[0].state, _platform(engine)[0].attempts) == (PENDING, 0)
    [entry] = _retries(engine)
    assert (entry.actor, entry.detail["reason"], entry.case_id) == ("admin", "平台接口已恢复", case.id)

    deliver_notifications(engine)
    assert _platform_kinds(receiver, case.number) == ["accepted", "task_queued", "status_changed"]
    assert {d.state for d in _platform(engine)} == {SENT}
    again = admin.post(f"/notifications/{failed.id}/retry", data={"reason": "再发", "csrf_token": admin.csrf})
    assert again.status_code == 303 and "只有发送失败的通知可以重新发送" in admin.get("/notifications/").text
    for username in ("clerk1", "scjg_approver1", "supervisor"):
        other = sign_in(username)
        answer = other.post(f"/notifications/{failed.id}/retry", data={"reason": "x", "csrf_token": other.csrf})
        assert answer.status_code == 403
    assert len(_retries(engine)) == 1


def test_the_api_retries_one_delivery_and_refuses_what_is_not_failed(app, engine, receiver):
    case = _failed_case(engine, receiver)
    failed, waiting, _ = _platform(engine)
    for username in ("clerk1", "scjg_approver1", "supervisor"):
        refused = token_client(app, username).post(f"/api/v1/notifications/{failed.id}/retry",
                                                                   json={"reason": "平台接口已恢复"})
        assert refused.status_code == 403
    admin = token_client(app, "admin")
    missing = admin.post(f"/api/v1/notifications/{failed.id}/retry", json={})
    assert missing.status_code == 422 and missing.json["field"] == "reason"
    conflict = admin.post(f"/api/v1/notifications/{waiting.id}/retry", json={"reason": "平台接口已恢复"})
    assert conflict.status_code == 409 and conflict.json["field"] == "delivery_id"
    assert conflict.json["code"] == "conflict" and conflict.json["message"] == "只有发送失败的通知可以重新发送，该通知待发送"
    assert admin.post("/api/v1/notifications/999999/retry", json={"reason": "x"}).status_code == 404
    assert _retries(engine) == []

    answer = admin.post(f"/api/v1/notifications/{failed.id}/retry", json={"reason": "平台接口已恢复"})
    assert answer.status_code == 200 and answer.json == {"id": failed.id, "state": "pending"}
    deliver_notifications(engine)
    assert _platform_kinds(receiver, case.number) == ["accepted", "task_queued", "status_changed"]
    assert admin.post(f"/api/v1/notifications/{failed.id}/retry", json={"reason": "x"}).status_code == 409


def test_a_channel_down_for_a_day_is_sent_again_at_once(app, engine, receiver, sign_in, clock):
    staff = actors(engine)
    cases = [_promised_case(engine, staff) for _ in range(3)]
    receiver.fail(3)
    deliver_notifications(engine)
    assert [d.state for d in _platform(engine)].count(FAILED) == 3
    clock.advance(timedelta(days=1))
    supervisor = token_client(app, "supervisor")
    refused = supervisor.post("/api/v1/notifications/retry", json={"channel": PLATFORM, "reason": "x"})
    assert refused.status_code == 403
    admin = token_client(app, "admin")
    unknown = admin.post("/api/v1/notifications/retry", json={"channel": "webhook:nobody", "reason": "平台恢复"})
    assert unknown.status_code == 422 and unknown.json["field"] == "channel"
    answer = admin.post("/api/v1/notifications/retry", json={"channel": PLATFORM, "reason": "平台停机一天后恢复"})
    assert answer.status_code == 200 and answer.json == {"channel": PLATFORM, "retried": 3}
    assert len(_retries(engine)) == 3
    deliver_notifications(engine)
    for case in cases:
        assert _platform_kinds(receiver, case.number) == ["accepted", "task_queued", "status_changed"]
    assert admin.post("/api/v1/notifications/retry", json={"channel": PLATFORM, "reason": "x"}).status_code == 409

    receiver.fail(1)
    _promised_case(engine, staff)
    deliver_notifications(engine)
    page_admin = sign_in("admin")
    done = page_admin.post("/notifications/retry", data={"channel": PLATFORM, "reason": "恢复",
                                                         "csrf_token": page_admin.csrf})
    assert done.status_code == 303 and "已重新发送渠道 webhook:platform 的 1 条失败通知" in page_admin.get(
        "/notifications/").text
    assert len(_retries(engine)) == 4


def test_the_channels_show_subscribers_and_counts_and_never_the_secret(app, engine, receiver, sign_in, clock):
    _failed_case(engine, receiver)
    clock.advance(timedelta(hours=3))
    supervisor = token_client(app, "supervisor")
    answer = supervisor.get("/api/v1/notifications/channels")
    assert answer.status_code == 200 and SECRET not in answer.text
    log, platform = answer.json
    assert (log["channel"], log["sent"], log["pending"], log["failed"], log["host"]) == ("log", 2, 0, 0, None)
    assert (platform["channel"], platform["subscriber"], platform["signed"], platform["configured"]) == (
        PLATFORM, "platform", True, True)
    assert platform["host"] == receiver.url("")[len("http://"):]
    assert (platform["pending"], platform["sent"], platform["failed"]) == (2, 0, 1)
    assert platform["oldest_pending_seconds"] == 3 * 3600 and platform["oldest_pending_at"].endswith("+08:00")
    assert token_client(app, "clerk1").get("/api/v1/notifications/channels").status_code == 403
    page = sign_in("supervisor").get("/notifications/")
    assert page.status_code == 200 and SECRET not in page.text
    assert f'data-channel="{PLATFORM}"' in page.text and "已等待 3 小时 0 分钟" in page.text
    english = sign_in("admin")
    english.get("/lang/en")
    text = english.get("/notifications/").text
    assert "Channels and subscribed systems" in text and "Send again" in text and "waiting for 3 h 0 min" in text


def test_the_filters_narrow_the_list_on_the_page_and_the_api(app, engine, receiver, sign_in, clock):
    staff = actors(engine)
    first = _promised_case(engine, staff)
    clock.advance(timedelta(days=2))
    second = _promised_case(engine, staff)
    reader = token_client(app, "supervisor")

    def total(query):
        answer = reader.get(f"/api/v1/notifications?{query}")
        assert answer.status_code == 200, answer.json
        return answer.json["total"]
    assert total("") == 10
    assert total(f"case_number={first.number}") == 5
    assert total(f"case_number={first.number}&kind=accepted") == 2
    assert total(f"kind=status_changed&channel={PLATFORM}") == 2
    today = clock.today()
    assert total(f"from={today.isoformat()}") == 5 and total(f"to={(today - timedelta(days=1)).isoformat()}") == 5
    assert total(f"from={today.isoformat()}&to={today.isoformat()}&case_number={first.number}") == 0
    assert total("state=pending&limit=3&offset=9") == 10
    assert len(reader.get("/api/v1/notifications?limit=3&offset=9").json["items"]) == 1
    for bad, field in (("from=2026-13-01", "from"), ("kind=nothing", "kind"), ("limit=0", "limit"),
                       ("from=0001-01-01", "from"), ("to=9999-12-31", "to"), ("state=lost", "state")):
        refused = reader.get(f"/api/v1/notifications?{bad}")
        assert refused.status_code == 422 and refused.json["field"] == field

    page = sign_in("supervisor")
    shown = page.get(f"/notifications/?case_number={second.number}&kind=accepted")
    assert shown.status_code == 200 and "共 2 条" in shown.text and first.number not in shown.text
    refused = page.get("/notifications/?from=yesterday")
    assert refused.status_code == 422 and "开始日期" in refused.text and "共 10 条" in refused.text
    beyond = page.get("/notifications/?page=2&state=pending").text
    assert "第 2 / 1 页" in beyond and "暂无数据" in beyond and "/notifications/?page=1&amp;state=pending" in beyond
    assert page.get("/notifications/?page=999999999999").status_code == 200
