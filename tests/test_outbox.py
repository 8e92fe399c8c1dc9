"""The outbox (issue 17 points 3 and 7): events commit with their step, are delivered once to real
local counterparts (an HTTP receiver, an SMTP server), retried with backoff, in order per case, signed."""

import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from engine.errors import Conflict
from engine.outbox.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, NotifyPolicy, Subscription
from engine.outbox.models import FAILED, PENDING, SENT, OutboxDelivery, OutboxEvent
from engine.runtime import CaseEngine
from engine.supervision.models import CaseRating
from tests.conftest import actors
from tests.counterparts import Mailbox
from tests.helpers import approve_in_back_office, intake, item_code, only_task, person, pickup_form

SECRET = "shared-secret-of-the-platform"


@pytest.fixture
def mailbox():
    server = Mailbox()
    yield server
    server.close()


def _policy(receiver, mailbox=None, **overrides) -> NotifyPolicy:
    values = {"channels": ("log", "sms", "email") if mailbox else ("log",), "center_name": "示范市政务服务中心",
              "sms_url": receiver.url("/sms"), "smtp_host": "127.0.0.1", "smtp_port": mailbox.port if mailbox else 25,
              "subscriptions": (Subscription("platform", receiver.url("/events"), SECRET),)}
    values.update(overrides)
    return NotifyPolicy(**values)


@pytest.fixture
def make_engine(db_url, clock):
    made = []

    def make(policy):
        made.append(CaseEngine(db_url, clock=clock, notify=policy))
        return made[-1]
    yield make
    for each in made:
        each.db.dispose()


def _events(engine, number=None) -> list[str]:
    with engine.session() as session:
        query = select(OutboxEvent.kind).order_by(OutboxEvent.id)
        if number:
            query = query.where(OutboxEvent.case_number == number)
        return list(session.scalars(query))


def _deliveries(engine, channel=None) -> list[OutboxDelivery]:
    with engine.session() as session:
        query = select(OutboxDelivery).order_by(OutboxDelivery.id)
        if channel:
            query = query.where(OutboxDelivery.channel == channel)
        return list(session.scalars(query))


def _promised_case(engine, staff, **applicant):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    return engine.create_case(staff["clerk1"], code, person(**applicant), intake(engine, code))


def test_a_step_writes_its_events_and_they_reach_sms_mail_and_webhook(make_engine, receiver, mailbox):
    engine = make_engine(_policy(receiver, mailbox))
    staff = actors(engine)
    case = _promised_case(engine, staff, email="zhangsan@example.org")
    assert _events(engine, case.number) == ["accepted", "task_queued", "status_changed"]
    accepted = [d for d in _deliveries(engine) if d.event_id == 1]
    assert sorted((d.channel, d.recipient) for d in accepted) == [
        ("email", "zhangsan@example.org"), ("log", "13800138000"), ("sms", "13800138000"),
        ("webhook:platform", receiver.url("/events"))]
    assert all(d.state == PENDING for d in accepted)
    assert case.number in accepted[0].message and "已受理" in accepted[0].message

    # The first run: everything but the case's later webhooks, which wait for the one before.
    assert engine.outbox.deliver_due() == 5
    assert engine.outbox.deliver_due() + engine.outbox.deliver_due() == 2
    assert {d.state for d in _deliveries(engine)} == {SENT}
    [mail] = mailbox.messages
    parsed = email.message_from_string(mail["data"], policy=email.policy.default)
    assert mail["to"] == ["zhangsan@example.org"] and parsed["Subject"] == f"办件通知 {case.number}"
    assert case.number in parsed.get_content() and "已受理" in parsed.get_content()
    [sms] = [json.loads(r["body"]) for r in receiver.requests if r["path"] == "/sms"]
    assert sms["to"] == "13800138000" and "已受理" in sms["text"]
    events = [json.loads(r["body"]) for r in receiver.requests if r["path"] == "/events"]
    assert [e["type"] for e in events] == ["accepted", "task_queued", "status_changed"]
    assert events[2]["case"]["number"] == case.number and events[2]["case"]["status"] == "已受理"
    assert engine.outbox.deliver_due() == 0  # exactly once: nothing is sent again


def test_the_signature_verifies_over_the_timestamp_and_the_raw_body(make_engine, receiver, clock):
    engine = make_engine(_policy(receiver))
    case = _promised_case(engine, actors(engine))
    engine.outbox.deliver_due()
    request = next(r for r in receiver.requests if r["path"] == "/events")
    timestamp = request["headers"][TIMESTAMP_HEADER]
    assert int(timestamp) == int(clock.now().timestamp())
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert request["headers"][SIGNATURE_HEADER] == f"sha256={expected}"
    forged = hmac.new(b"another secret", timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert request["headers"][SIGNATURE_HEADER] != f"sha256={forged}"
    assert json.loads(request["body"])["case"]["number"] == case.number


def test_the_events_roll_back_with_their_step(make_engine, receiver):
    engine = make_engine(_policy(receiver))
    staff = actors(engine)
    code = item_code(engine, case_type="即办件")
    number = engine.create_case(staff["clerk1"], code, person(), intake(engine, code)).number
    engine.complete_task(staff["clerk1"], only_task(engine, number).id, {"decision": "approve", "opinion": "当场办结"})
    engine.complete_task(staff["clerk2"], only_task(engine, number).id, pickup_form())
    before = _events(engine, number)
    assert "ready_for_pickup" in before and "decided" in before
    # A rating already on file makes the rating step refused after its step (and its events) were
    # recorded (engine/actions.py: rating_recorded runs after record_step): all of it rolls back.
    with engine.transaction() as session:
        case_id = session.scalar(select(OutboxEvent.case_id).where(OutboxEvent.case_number == number).limit(1))
        session.add(CaseRating(case_id=case_id, rating="满意", comment="", rated_at=engine.clock.now(),
                               rated_on=engine.clock.today(), department_code="SCJG", verification="not_required"))
    rating = only_task(engine, number).id
    with pytest.raises(Conflict, match="one rating per case"):
        engine.complete_task(staff["clerk2"], rating, {"rating": "满意"})
    assert _events(engine, number) == before
    with engine.transaction() as session:
        session.execute(delete(CaseRating).where(CaseRating.case_id == case_id))
    engine.complete_task(staff["clerk2"], rating, {"rating": "满意"})
    assert _events(engine, number) == [*before, "closed"]


def test_a_failed_delivery_is_retried_with_backoff_then_marked_failed(make_engine, receiver, clock):
    engine = make_engine(_policy(receiver, channels=(), backoff_seconds=30, max_attempts=3))
    _promised_case(engine, actors(engine))
    receiver.fail(10)
    assert engine.outbox.deliver_due() == 1  # a case's webhooks go one at a time
    [first, *_] = _deliveries(engine)
    assert (first.state, first.attempts) == (PENDING, 1) and "503" in first.last_error
    assert first.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert engine.outbox.deliver_due() == 0  # not before its time
    clock.advance(timedelta(seconds=30))
    engine.outbox.deliver_due()
    first = _deliveries(engine)[0]
    assert first.attempts == 2 and first.next_attempt_at == clock.now() + timedelta(seconds=60)  # doubled
    clock.advance(timedelta(seconds=60))
    engine.outbox.deliver_due()
    first = _deliveries(engine)[0]
    assert (first.state, first.attempts) == (FAILED, 3) and "503" in first.last_error
    assert receiver.requests == []


def test_a_cases_events_go_out_in_order_and_wait_for_the_previous(make_engine, receiver, clock):
    engine = make_engine(_policy(receiver, channels=(), backoff_seconds=10))
    staff = actors(engine)
    first, second = _promised_case(engine, staff), _promised_case(engine, staff)
    receiver.fail(1)  # the first case's first event fails once
    while engine.outbox.deliver_due():
        pass
    sent = [json.loads(r["body"]) for r in receiver.requests]
    # The second case went on; the first's later events waited behind the failed one.
    assert [(e["case"]["number"], e["type"]) for e in sent] == [
        (second.number, "accepted"), (second.number, "task_queued"), (second.number, "status_changed")]
    clock.advance(timedelta(seconds=10))
    while engine.outbox.deliver_due():
        pass
    sent = [json.loads(r["body"]) for r in receiver.requests]
    assert [e["type"] for e in sent if e["case"]["number"] == first.number] == [
        "accepted", "task_queued", "status_changed"]
    approve_in_back_office(engine, first.number, staff["scjg_approver1"])
    while engine.outbox.deliver_due():
        pass
    kinds = [json.loads(r["body"])["type"] for r in receiver.requests
             if json.loads(r["body"])["case"]["number"] == first.number]
    assert kinds[3:] == _events(engine, first.number)[3:] and "decided" in kinds


@pytest.mark.postgres_only
def test_two_delivery_runs_racing_send_each_delivery_once(postgres_url, clock, receiver):
    policy = _policy(receiver, channels=("log",))
    engine = CaseEngine(postgres_url, clock=clock, notify=policy)
    staff = actors(engine)
    for _ in range(6):
        _promised_case(engine, staff)
    expected = {d.id for d in _deliveries(engine) if d.channel.startswith("webhook:")}
    runners = [CaseEngine(postgres_url, clock=clock, notify=policy) for _ in range(2)]
    start = threading.Barrier(2)

    def run(runner):
        start.wait()
        while runner.outbox.deliver_due(limit=2):
            pass
    threads = [threading.Thread(target=run, args=(runner,)) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    delivered = [int(r["headers"]["X-OneWindow-Delivery"]) for r in receiver.requests]
    assert sorted(delivered) == sorted(expected) and len(delivered) == len(set(delivered)) == 18
    assert {d.state for d in _deliveries(engine)} == {SENT}
    assert all(d.attempts == 1 for d in _deliveries(engine))
    for each in (engine, *runners):
        each.db.dispose()


def test_the_api_and_the_page_list_each_delivery_with_its_state(app, sign_in, clock):
    from tests.helpers import token_client

    engine = app.extensions["onewindow"]
    staff = actors(engine)
    case = _promised_case(engine, staff, email="zhangsan@example.org")
    engine.outbox.deliver_due()
    clerk_case = _promised_case(engine, staff)  # its deliveries are still pending
    supervisor = token_client(app, "supervisor")
    answer = supervisor.get("/api/v1/notifications").json
    assert answer["total"] == 4
    newest, *_, oldest = answer["items"]
    assert (newest["case_number"], newest["state"], newest["attempts"]) == (clerk_case.number, "pending", 0)
    assert (oldest["case_number"], oldest["kind"], oldest["channel"], oldest["state"]) == (
        case.number, "accepted", "log", "sent")
    assert oldest["recipient"] == "138****8000" and oldest["sent_at"].endswith("+08:00")
    sent = supervisor.get("/api/v1/notifications?state=sent").json
    assert sent["total"] == 2 and {item["case_number"] for item in sent["items"]} == {case.number}
    refused = supervisor.get("/api/v1/notifications?state=lost")
    assert refused.status_code == 422 and refused.json["field"] == "state"
    assert token_client(app, "admin").get("/api/v1/notifications").status_code == 200
    assert token_client(app, "clerk1").get("/api/v1/notifications").status_code == 403
    page = sign_in("supervisor").get("/notifications/?state=pending")
    assert page.status_code == 200 and clerk_case.number in page.text and case.number not in page.text
    assert "待发送" in page.text and "138****8000" in page.text
    assert sign_in("clerk1").get("/notifications/").status_code == 403


def test_the_channels_and_subscriptions_come_from_the_environment():
    from engine.settings import EngineSettings, SettingsError

    environ = {"ONEWINDOW_NOTIFY_CHANNELS": "log,sms", "ONEWINDOW_NOTIFY_SMS_URL": "http://127.0.0.1:9/sms",
               "ONEWINDOW_NOTIFY_WEBHOOKS": "platform=http://127.0.0.1:9/events",
               "ONEWINDOW_NOTIFY_WEBHOOK_SECRET_PLATFORM": SECRET,
               "ONEWINDOW_NOTIFY_TEMPLATE_ACCEPTED": "{case_number}已受理，{due_date}前办结"}
    notify = EngineSettings.from_environment(environ).notify
    assert notify.channels == ("log", "sms") and notify.subscriptions == (
        Subscription("platform", "http://127.0.0.1:9/events", SECRET),)
    from engine.outbox.service import message
    assert message(notify, "accepted", {"case_number": "ZW1", "due_date": "2026-12-07"}) == "ZW1已受理，2026-12-07前办结"
    assert EngineSettings.from_environment({}).notify.channels == ("log",)
    for broken, named in [({"ONEWINDOW_NOTIFY_CHANNELS": "sms"}, "sms"),
                          ({"ONEWINDOW_NOTIFY_CHANNELS": "fax"}, "fax"),
                          ({"ONEWINDOW_NOTIFY_WEBHOOKS": "platform=http://127.0.0.1:9/"}, "SECRET_PLATFORM"),
                          ({"ONEWINDOW_NOTIFY_TEMPLATE_ACCEPTED": "{password}"}, "password")]:
        with pytest.raises(SettingsError, match=named):
            EngineSettings.from_environment(broken)


def test_the_window_takes_the_applicants_email_and_refuses_a_malformed_one(app, sign_in):
    from engine.cases.service import validate_applicant
    from engine.errors import InvalidInput

    assert validate_applicant(person(email="li@example.org"))["email"] == "li@example.org"
    assert validate_applicant(person())["email"] == ""
    with pytest.raises(InvalidInput) as refused:
        validate_applicant(person(email="not an address"))
    assert refused.value.field == "applicant.email"
    clerk = sign_in("clerk1")
    code = "SCJG-002"
    assert 'name="applicant.email"' in clerk.get(f"/cases/new/{code}").text
    form = {"csrf_token": clerk.csrf, "received_materials": intake(app.extensions["onewindow"], code)["received_materials"],
            "acceptable": "yes", "delivery_method": "pickup"}
    form.update({f"applicant.{key}": value for key, value in person(email="li@example.org").items()})
    registered = clerk.post(f"/cases/new/{code}", data=form)
    assert registered.status_code == 303
    case = app.extensions["onewindow"].get_case(registered.location.rsplit("/", 1)[1])
    assert case.applicant_email == "li@example.org"


def test_a_gateway_that_does_not_answer_is_not_tried_again_in_the_same_run(make_engine, receiver, clock):
    with socket.socket() as probe:  # a port nobody listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/sms"
    engine = make_engine(_policy(receiver, channels=("log", "sms"), subscriptions=(), backoff_seconds=30,
                                 sms_url=dead))
    staff = actors(engine)
    for _ in range(3):
        _promised_case(engine, staff)
    engine.outbox.deliver_due()
    sms = _deliveries(engine, "sms")
    assert [d.attempts for d in sms] == [1, 0, 0] and all(d.state == PENDING for d in sms)
    assert all(d.next_attempt_at == clock.now() + timedelta(seconds=30) for d in sms)
    assert {d.state for d in _deliveries(engine, "log")} == {SENT}  # the other channel went on
    assert "refused" in sms[0].last_error.lower()
    clock.advance(timedelta(seconds=30))
    engine = make_engine(_policy(receiver, channels=("log", "sms"), subscriptions=(), backoff_seconds=30))
    engine.outbox.deliver_due()
    assert [(d.state, d.attempts) for d in _deliveries(engine, "sms")] == [(SENT, 2), (SENT, 1), (SENT, 1)]
    assert len(receiver.requests) == 3


def test_a_task_turning_red_tells_its_holder_by_sms(make_engine, receiver, clock):
    from datetime import date

    from sqlalchemy import update

    from engine.clock import local_datetime
    from engine.staff.models import Staff

    engine = make_engine(_policy(receiver, channels=("log", "sms"), subscriptions=()))
    staff = actors(engine)
    case = _promised_case(engine, staff)
    review = only_task(engine, case.number)
    engine.claim_task(staff["scjg_approver1"], review.id)
    with engine.transaction() as session:
        session.execute(update(Staff).where(Staff.id == staff["scjg_approver1"].id).values(phone="13900139000"))
    clock.set(local_datetime(date(2026, 12, 10), 10))  # past the review's due day
    engine.sweep_deadlines()
    with engine.session() as session:
        red = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "task_red")).one()
        assert red.payload["data"]["task_id"] == review.id and red.case_number == case.number
        assert sorted((d.channel, d.recipient) for d in red.deliveries) == [
            ("log", f"staff:{staff['scjg_approver1'].id}"), ("sms", "13900139000")]
    while engine.outbox.deliver_due():
        pass
    texts = [json.loads(r["body"]) for r in receiver.requests if json.loads(r["body"])["to"] == "13900139000"]
    assert len(texts) == 1 and "红牌" in texts[0]["text"] and case.number in texts[0]["text"]
