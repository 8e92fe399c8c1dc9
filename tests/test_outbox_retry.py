"""Sending a given-up notification again (issue 17 points 3 and 7): one delivery or a whole channel,
by the administrator with a reason in the audit trail, delivered again to a real local receiver in
the case's order; and each channel's counts."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.outbox.channels import Subscription
from engine.outbox.models import FAILED, PENDING, SENT, OutboxDelivery
from engine.runtime import CaseEngine
from tests.conftest import actors
from tests.test_outbox import SECRET, _deliveries, _policy, _promised_case

PLATFORM = "webhook:platform"


@pytest.fixture
def engine(db_url, clock, receiver):
    """Webhooks only (the platform), given up after two attempts ten seconds apart."""
    policy = _policy(receiver, channels=(), backoff_seconds=10, max_attempts=2)
    made = CaseEngine(db_url, clock=clock, notify=policy)
    yield made
    made.db.dispose()


def _give_up(engine, receiver, clock) -> None:
    """The receiver answers 503 to both attempts of every case's first event."""
    receiver.fail(1000)
    engine.outbox.deliver_due()
    clock.advance(timedelta(seconds=10))
    engine.outbox.deliver_due()
    receiver.fail(0)


def _deliver_all(engine) -> None:
    while engine.outbox.deliver_due():
        pass


def _sent(receiver) -> list[tuple[str, str]]:
    return [(body["case"]["number"], body["type"]) for body in (json.loads(r["body"]) for r in receiver.requests)]


def _retries(engine) -> list[AuditEntry]:
    with engine.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "notification_retry")
                                    .order_by(AuditEntry.id)))


def test_a_given_up_delivery_is_sent_again_and_the_case_keeps_its_order(engine, receiver, clock):
    staff = actors(engine)
    case = _promised_case(engine, staff)
    _give_up(engine, receiver, clock)
    first, *later = _deliveries(engine)
    assert (first.state, first.attempts) == (FAILED, 2) and "503" in first.last_error
    assert [(d.state, d.attempts) for d in later] == [(PENDING, 0), (PENDING, 0)]
    clock.advance(timedelta(hours=1))
    _deliver_all(engine)
    assert receiver.requests == []  # the later ones wait behind the given-up one

    assert engine.outbox_book.retry(staff["admin"], first.id, "平台接口已恢复") == first.id
    retried = _deliveries(engine)[0]
    assert (retried.state, retried.attempts, retried.next_attempt_at) == (PENDING, 0, clock.now())
    [entry] = _retries(engine)
    assert (entry.actor, entry.case_id) == ("admin", case.id)
    assert entry.detail["reason"] == "平台接口已恢复" and entry.detail["delivery_id"] == first.id
    assert entry.detail["attempts_before"] == 2

    receiver.fail(1)  # fails once more: a fresh budget, and the later ones still wait
    assert engine.outbox.deliver_due() == 1
    assert [(d.state, d.attempts) for d in _deliveries(engine)] == [(PENDING, 1), (PENDING, 0), (PENDING, 0)]
    clock.advance(timedelta(seconds=10))
    _deliver_all(engine)
    assert _sent(receiver) == [(case.number, "accepted"), (case.number, "task_queued"),
                               (case.number, "status_changed")]
    assert {d.state for d in _deliveries(engine)} == {SENT}

    with pytest.raises(Conflict, match=r"已发送 \(.*this one is sent\)"):
        engine.outbox_book.retry(staff["admin"], first.id, "再发一次")
    assert len(_retries(engine)) == 1


def test_only_the_administrator_retries_a_failed_delivery_with_a_reason(engine, receiver, clock):
    staff = actors(engine)
    _promised_case(engine, staff)
    _give_up(engine, receiver, clock)
    failed, pending, _ = _deliveries(engine)
    for username in ("clerk1", "scjg_approver1", "supervisor"):
        with pytest.raises(Forbidden, match="只有系统管理员"):
            engine.outbox_book.retry(staff[username], failed.id, "平台接口已恢复")
    for reason in ("", "   ", None, "长" * 301, "原因\x00"):
        with pytest.raises(InvalidInput) as refused:
            engine.outbox_book.retry(staff["admin"], failed.id, reason)
        assert refused.value.field == "reason"
    with pytest.raises(Conflict, match=r"待发送 \(.*this one is pending\)"):
        engine.outbox_book.retry(staff["admin"], pending.id, "平台接口已恢复")
    for missing in (failed.id + 1000, 2**40, "1", True):
        with pytest.raises(NotFound):
            engine.outbox_book.retry(staff["admin"], missing, "平台接口已恢复")
    assert _deliveries(engine)[0].state == FAILED and _retries(engine) == []


def test_a_channel_down_for_a_day_is_sent_again_at_once_in_each_cases_order(engine, receiver, clock):
    staff = actors(engine)
    cases = [_promised_case(engine, staff) for _ in range(3)]
    _give_up(engine, receiver, clock)
    assert [d.case_id for d in _deliveries(engine) if d.state == FAILED] == [case.id for case in cases]
    clock.advance(timedelta(days=1))

    assert engine.outbox_book.retry_channel(staff["admin"], PLATFORM, "平台停机一天后恢复") == 3
    assert {d.state for d in _deliveries(engine)} == {PENDING}
    entries = _retries(engine)
    assert sorted(entry.case_id for entry in entries) == sorted(case.id for case in cases)
    assert {entry.detail["reason"] for entry in entries} == {"平台停机一天后恢复"}
    _deliver_all(engine)
    sent = _sent(receiver)
    for case in cases:
        assert [kind for number, kind in sent if number == case.number] == ["accepted", "task_queued",
                                                                            "status_changed"]
    assert len(sent) == 9

    with pytest.raises(Conflict, match="没有发送失败的通知"):
        engine.outbox_book.retry_channel(staff["admin"], PLATFORM, "再发一次")
    with pytest.raises(InvalidInput) as unknown:
        engine.outbox_book.retry_channel(staff["admin"], "webhook:nobody", "再发一次")
    assert unknown.value.field == "channel"
    with pytest.raises(Forbidden):
        engine.outbox_book.retry_channel(staff["supervisor"], PLATFORM, "再发一次")
    assert len(_retries(engine)) == 3


def test_each_channel_shows_its_subscriber_and_counts_never_the_secret(db_url, clock, receiver):
    policy = _policy(receiver, channels=("log",), backoff_seconds=10, max_attempts=1,
                     subscriptions=(Subscription("platform", receiver.url("/events"), SECRET),
                                    Subscription("rating", "http://user:pw@127.0.0.1:9/in", SECRET)))
    engine = CaseEngine(db_url, clock=clock, notify=policy)
    staff = actors(engine)
    _promised_case(engine, staff)
    receiver.fail(1)  # the platform's first event is given up at once
    _deliver_all(engine)  # log sends; nothing answers on the rating system's port
    lines = {line.channel: line for line in engine.outbox_book.channels()}
    assert list(lines) == ["log", PLATFORM, "webhook:rating"]
    assert (lines["log"].sent, lines["log"].pending, lines["log"].subscriber) == (2, 0, None)
    platform, rating = lines[PLATFORM], lines["webhook:rating"]
    assert (platform.subscriber, platform.host, platform.signed) == ("platform", receiver.url("")[7:], True)
    assert (platform.failed, platform.pending, platform.sent) == (1, 2, 0)
    assert (rating.host, rating.pending, rating.failed, rating.signed) == ("127.0.0.1:9", 2, 1, True)
    assert platform.oldest_pending_at == clock.now()
    assert SECRET not in repr(lines) and "pw" not in repr(rating)

    engine.outbox_book.retry_channel(staff["admin"], PLATFORM, "恢复")
    clock.advance(timedelta(hours=2))
    with engine.transaction() as session:  # a subscription dropped from the settings keeps its rows shown
        session.execute(OutboxDelivery.__table__.update().where(OutboxDelivery.channel == "webhook:rating")
                        .values(channel="webhook:old"))
    lines = {line.channel: line for line in engine.outbox_book.channels()}
    assert lines["webhook:old"].configured is False and lines["webhook:old"].failed == 1
    assert lines[PLATFORM].pending == 3 and lines[PLATFORM].oldest_pending_at == clock.now() - timedelta(hours=2)
    with engine.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxDelivery)) == 8
    engine.db.dispose()


@pytest.mark.postgres_only
def test_two_administrators_retrying_at_once_send_it_again_once(postgres_url, clock, receiver):
    policy = _policy(receiver, channels=(), backoff_seconds=10, max_attempts=2)
    engine = CaseEngine(postgres_url, clock=clock, notify=policy)
    staff = actors(engine)
    for _ in range(2):
        _promised_case(engine, staff)
    _give_up(engine, receiver, clock)
    failed = [d for d in _deliveries(engine) if d.state == FAILED]
    others = [CaseEngine(postgres_url, clock=clock, notify=policy) for _ in range(2)]
    start, outcomes = threading.Barrier(2), []

    def run(other, act):
        start.wait()
        try:
            outcomes.append(act(other))
        except Conflict as refused:
            outcomes.append(refused.__class__)
    acts = (lambda other: other.outbox_book.retry(staff["admin"], failed[0].id, "一"),
            lambda other: other.outbox_book.retry_channel(staff["admin"], PLATFORM, "二"))
    threads = [threading.Thread(target=run, args=(other, act)) for other, act in zip(others, acts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whichever came first, each failed delivery was made pending once, with one audit entry each.
    assert sorted(map(str, outcomes)) in (sorted(map(str, [failed[0].id, 1])), sorted(map(str, [Conflict, 2])))
    assert [entry.detail["delivery_id"] for entry in _retries(engine)].count(failed[0].id) == 1
    assert len(_retries(engine)) == 2 and {d.state for d in _deliveries(engine)} == {PENDING}
    for each in (engine, *others):
        each.db.dispose()


def test_the_command_line_shows_the_channels_and_sends_failed_deliveries_again(engine, receiver, clock, db_url,
                                                                              monkeypatch):
    from click.testing import CliRunner

    from cli import main

    staff = actors(engine)
    cases = [_promised_case(engine, staff) for _ in range(2)]
    _give_up(engine, receiver, clock)
    failed = [d for d in _deliveries(engine) if d.state == FAILED]
    assert [d.case_id for d in failed] == [case.id for case in cases]
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", db_url)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["notifications", *args], catch_exceptions=False)

    shown = run("channels")
    assert shown.exit_code == 0 and f"{PLATFORM}\t-\tpending 4\tsent 0\tfailed 2\t" in shown.output, shown.output
    refused = run("resend", "--user", "supervisor", "--channel", PLATFORM, "--reason", "平台已恢复")
    assert refused.exit_code == 1 and "only the system administrator" in refused.output
    assert run("resend", "--user", "admin", "--reason", "x").exit_code == 2      # neither --delivery nor --channel
    one = run("resend", "--user", "admin", "--delivery", str(failed[0].id), "--reason", "平台接口已恢复")
    assert one.exit_code == 0 and one.output == f"delivery #{failed[0].id} is pending again\n"
    rest = run("resend", "--user", "admin", "--channel", PLATFORM, "--reason", "平台停机后恢复")
    assert rest.exit_code == 0 and rest.output == f"{PLATFORM}: 1 failed deliveries are pending again\n"
    again = run("resend", "--user", "admin", "--channel", PLATFORM, "--reason", "再发一次")
    assert again.exit_code == 1 and "has no failed delivery" in again.output
    assert [entry.detail["reason"] for entry in _retries(engine)] == ["平台接口已恢复", "平台停机后恢复"]
    assert {(d.state, d.attempts) for d in _deliveries(engine) if d.id in {f.id for f in failed}} == {(PENDING, 0)}
    clock.set(datetime.now(UTC) + timedelta(seconds=1))  # the command ran on the real clock: due from then
    _deliver_all(engine)
    assert {d.state for d in _deliveries(engine)} == {SENT} and len(_sent(receiver)) == 6
