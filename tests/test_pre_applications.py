"""Online pre-applications from the provincial platform: posted once per platform id (a race of
retries makes one row), listed at the window with the 5-working-day due date, registered once
through the window's intake in the case's own transaction, the notice's 5 days counted from the
platform's receipt; rejected with a reason; refusals bilingual and naming the field."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.actor import SYSTEM
from engine.audit.models import AuditEntry
from engine.cases.models import Case
from engine.clock import SimulatedClock, local_datetime
from engine.errors import Conflict, InvalidInput
from engine.outbox.models import OutboxEvent
from engine.preapplications.models import PreApplication
from engine.runtime import CaseEngine
from tests.conftest import START, actors
from tests.helpers import intake, person, token_client
from tests.test_service_accounts import SUBMIT_URL, bearer, create_account, service_token

FOOD = "SCJG-002"


@pytest.fixture
def platform(app):
    """A test client holding a service token of the provincial platform's account."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {service_token(client, create_account(app))}"
    return client


def body(engine, platform_id="GD-2026-000123", *, missing=0, submitted=None, **overrides) -> dict:
    """A pre-application of the food licence with every mandatory material but the last ``missing``."""
    materials = intake(engine, FOOD, missing=missing)["received_materials"]
    submitted = submitted or START - timedelta(hours=1)
    return {"platform_application_id": platform_id, "item_code": FOOD, "applicant": person(),
            "materials": materials, "submitted_at": submitted.isoformat(), **overrides}


def _rows(engine) -> list[PreApplication]:
    with engine.session() as session:
        return list(session.scalars(select(PreApplication).order_by(PreApplication.id)))


def _cases(engine) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(Case))


def test_a_post_is_201_the_same_again_200_with_the_same_answer_and_another_body_409(platform, engine):
    first = platform.post(SUBMIT_URL, json=body(engine))
    assert first.status_code == 201
    answer = first.get_json()
    assert answer["platform_application_id"] == "GD-2026-000123" and answer["state"] == "pending"
    # Monday 23 November 2026 is the receipt day; five working days on: Monday 30 November.
    assert answer["notice_due_on"] == "2026-11-30"
    again = platform.post(SUBMIT_URL, json=body(engine))
    assert again.status_code == 200 and again.get_json() == answer
    changed = platform.post(SUBMIT_URL, json=body(engine, applicant=person("李四")))
    assert changed.status_code == 409
    assert changed.get_json() == {"code": "conflict", "field": "platform_application_id",
                                  "message": "平台申请编号 GD-2026-000123 已以不同内容提交过"}
    english = platform.post(SUBMIT_URL, json=body(engine, materials=[]), headers={"Accept-Language": "en"})
    assert english.status_code == 409 and "was already posted with another body" in english.get_json()["message"]
    assert len(_rows(engine)) == 1 and _cases(engine) == 0
    with engine.session() as session:
        received = session.scalars(select(AuditEntry).where(AuditEntry.action == "pre_application_received")).all()
    assert len(received) == 1 and received[0].actor.startswith("service:svc_")


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"platform_application_id": "has space"}, 422, "platform_application_id"),
    ({"platform_application_id": "x" * 65}, 422, "platform_application_id"),
    ({"platform_application_id": 12345}, 422, "platform_application_id"),
    ({"item_code": "NO-SUCH"}, 404, "item_code"),
    ({"item_code": None}, 422, "item_code"),
    ({"applicant": person(id_number="123")}, 422, "applicant.id_number"),
    ({"applicant": "张三"}, 422, "applicant"),
    ({"applicant": {**person(), "extra": 1}}, 422, "applicant.extra"),
    ({"materials": ["M99"]}, 422, "materials"),
    ({"materials": "M01"}, 422, "materials"),
    ({"materials": [{"code": "M01"}]}, 422, "materials"),
    ({"submitted_at": "2026-11-23T09:00:00"}, 422, "submitted_at"),
    ({"submitted_at": "yesterday"}, 422, "submitted_at"),
    ({"submitted_at": 1700000000}, 422, "submitted_at"),
    ({"submitted_at": "2026-11-24T09:00:00+08:00"}, 422, "submitted_at"),
    ({"submitted_at": "2026-09-01T09:00:00+08:00"}, 422, "submitted_at"),
    ({"priority": "high"}, 422, "priority"),
])
def test_a_bad_field_is_refused_by_name_and_stores_nothing(platform, engine, change, status, field):
    answer = platform.post(SUBMIT_URL, json={**body(engine), **change})
    assert answer.status_code == status, answer.get_json()
    assert answer.get_json()["field"] == field and answer.get_json()["message"]
    assert _rows(engine) == []


def test_the_applicants_refusal_names_the_field_by_its_label(platform, engine):
    answer = platform.post(SUBMIT_URL, json=body(engine, applicant=person(phone="12")))
    assert answer.status_code == 422 and answer.get_json()["field"] == "applicant.phone"
    assert "申请人手机号" in answer.get_json()["message"]


def test_junk_bodies_are_4xx_never_500(platform):
    answers = [platform.post(SUBMIT_URL, data=b"\x00\xffjunk", content_type="application/json"),
               platform.post(SUBMIT_URL, data="platform_application_id=1", content_type="application/x-www-form-urlencoded"),
               platform.post(SUBMIT_URL, json=[1]), platform.post(SUBMIT_URL, json="text"), platform.post(SUBMIT_URL, json=None),
               platform.post(SUBMIT_URL, json={"platform_application_id": {"$gt": ""}}),
               platform.get(SUBMIT_URL)]
    assert [answer.status_code for answer in answers] == [422, 422, 422, 422, 422, 422, 405]
    assert answers[0].get_json()["field"] == "body"


def test_ten_racing_posts_of_one_id_make_one_row(postgres_url):
    engine = CaseEngine(postgres_url, clock=SimulatedClock(START))
    try:
        account, _secret = engine.service_accounts.create(SYSTEM, "省政务服务平台")
        posted = body(engine, "GD-RACE-1")
        barrier, answers, failures = threading.Barrier(10), [], []

        def post():
            barrier.wait()
            try:
                answers.append(engine.pre_applications.submit(account, posted))
            except Exception as error:  # noqa: BLE001 - the test reports any failure of a racing post
                failures.append(error)
        threads = [threading.Thread(target=post) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert sorted(created for _answer, created in answers) == [False] * 9 + [True]
        assert len({answer["id"] for answer, _created in answers}) == 1
        assert len(_rows(engine)) == 1
    finally:
        engine.db.dispose()


def _register_form(engine, clerk, pre_id, *, missing=0) -> dict:
    page = clerk.get(f"/pre-applications/{pre_id}/register")
    assert page.status_code == 200
    form = {"csrf_token": clerk.csrf, "received_materials": intake(engine, FOOD, missing=missing)["received_materials"],
            "acceptable": "yes", "delivery_method": "pickup"}
    form.update({f"applicant.{name}": value for name, value in person().items()})
    return form


def test_the_clerk_registers_it_through_the_prefilled_intake_form_once(platform, sign_in, engine):
    pre_id = platform.post(SUBMIT_URL, json=body(engine)).get_json()["id"]
    clerk = sign_in("clerk1")
    listing = clerk.get("/pre-applications/").data.decode()
    assert "GD-2026-000123" in listing and "2026-11-30" in listing
    page = clerk.get(f"/pre-applications/{pre_id}/register").data.decode()
    # The window's intake form with the platform's applicant and materials filled in.
    assert 'value="张三"' in page and 'name="received_materials" value="M01" checked' in page
    assert "网上预申请 GD-2026-000123" in page
    registered = clerk.post(f"/pre-applications/{pre_id}/register", data=_register_form(engine, clerk, pre_id))
    assert registered.status_code == 303
    number = registered.location.rsplit("/", 1)[1]
    case = engine.get_case(number)
    assert case.status == "已受理" and case.received_at == START - timedelta(hours=1)
    row = _rows(engine)[0]
    assert row.state == "registered" and row.case_id == case.id and row.handled_by_id == actors(engine)["clerk1"].id
    again = clerk.post(f"/pre-applications/{pre_id}/register", data=_register_form(engine, clerk, pre_id))
    assert again.status_code == 409 and _cases(engine) == 1
    with engine.session() as session:
        payloads = [event.payload for event in session.scalars(select(OutboxEvent).where(OutboxEvent.case_id == case.id))]
        audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "pre_application_registered"))
    # Every status event of the case names the platform's id, from the first step on.
    assert payloads and all(payload["case"]["platform_application_id"] == "GD-2026-000123" for payload in payloads)
    assert any(payload["type"] == "status_changed" for payload in payloads)
    assert audit.case_id == case.id


def test_a_window_case_has_no_platform_id_in_its_events(engine, staff):
    case = engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD))
    with engine.session() as session:
        payloads = [event.payload for event in session.scalars(select(OutboxEvent).where(OutboxEvent.case_id == case.id))]
    assert payloads and all("platform_application_id" not in payload["case"] for payload in payloads)


def test_a_failed_registration_leaves_neither_case_nor_link(engine, staff):
    account, _secret = engine.service_accounts.create(SYSTEM, "省政务服务平台")
    answer, _created = engine.pre_applications.submit(account, body(engine))
    broken = {**intake(engine, FOOD), "delivery_method": "teleport"}  # refused after the link is written
    with pytest.raises(InvalidInput):
        engine.pre_applications.register(staff["clerk1"], answer["id"], person(), broken)
    assert _cases(engine) == 0 and _rows(engine)[0].state == "pending" and _rows(engine)[0].case_id is None
    case = engine.pre_applications.register(staff["clerk1"], answer["id"], person(), intake(engine, FOOD))
    assert _rows(engine)[0].case_id == case.id
    with pytest.raises(Conflict):
        engine.pre_applications.register(staff["clerk2"], answer["id"], person(), intake(engine, FOOD))
    assert _cases(engine) == 1


def test_two_clerks_registering_at_once_make_one_case(postgres_url):
    engines = [CaseEngine(postgres_url, clock=SimulatedClock(START)) for _ in range(2)]
    try:
        staff = actors(engines[0])
        account, _secret = engines[0].service_accounts.create(SYSTEM, "省政务服务平台")
        pre_id = engines[0].pre_applications.submit(account, body(engines[0]))[0]["id"]
        form = intake(engines[0], FOOD)
        barrier, made, refused = threading.Barrier(2), [], []

        def register(engine, clerk):
            barrier.wait()
            try:
                made.append(engine.pre_applications.register(clerk, pre_id, person(), form).number)
            except Conflict as error:
                refused.append(error)
        threads = [threading.Thread(target=register, args=(engine, staff[name]))
                   for engine, name in zip(engines, ("clerk1", "clerk2"), strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(made) == 1 and len(refused) == 1 and _cases(engines[0]) == 1
    finally:
        for engine in engines:
            engine.db.dispose()


def test_the_five_working_days_run_from_the_platforms_receipt(engine, staff, clock):
    account, _secret = engine.service_accounts.create(SYSTEM, "省政务服务平台")
    # Received Thursday 12 November; registered Monday 23 November, seven working days later.
    late = local_datetime(date(2026, 11, 12), 10, 0)
    pre_id = engine.pre_applications.submit(account, body(engine, "GD-LATE", missing=1, submitted=late))[0]["id"]
    waiting = engine.pre_applications.waiting(staff["clerk1"])
    assert waiting[0].notice_due_on == date(2026, 11, 19) and waiting[0].deadline_state == "red"
    case = engine.pre_applications.register(staff["clerk1"], pre_id, person(), intake(engine, FOOD, missing=1))
    # Incomplete, but the notice's 5 working days from the receipt ran out on 19 November: the model's
    # timer is past as it starts, so the registration itself makes it 视为受理 from the day of receipt.
    engine.fire_due_timers()
    deemed = engine.get_case(case.number)
    assert deemed.received_on == date(2026, 11, 12) and deemed.status == "已受理"
    assert deemed.deemed_accepted and deemed.accepted_on == date(2026, 11, 12)
    assert deemed.due_date == engine.calendar.get().add_working_days(date(2026, 11, 12), deemed.promised_limit_days).day
    with engine.session() as session:
        steps = list(session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case.id)
                                     .order_by(AuditEntry.id)))
    assert steps[:2] == ["pre_application_registered", "create"]


def test_a_recent_receipt_keeps_its_own_five_days(engine, staff):
    account, _secret = engine.service_accounts.create(SYSTEM, "省政务服务平台")
    friday = local_datetime(date(2026, 11, 20), 16, 0)
    pre_id = engine.pre_applications.submit(account, body(engine, "GD-FRI", missing=1, submitted=friday))[0]["id"]
    assert engine.pre_applications.waiting(staff["clerk1"])[0].deadline_state in ("normal", "yellow")
    case = engine.pre_applications.register(staff["clerk1"], pre_id, person(), intake(engine, FOOD, missing=1))
    # Five working days from Friday 20 November is Friday 27 November, not five from the click (30 November).
    assert engine.open_tasks(case.number)[0].due_date == date(2026, 11, 27)
    assert engine.fire_due_timers() == 0 and not engine.get_case(case.number).accepted_on
    window = engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD, missing=1))
    assert engine.open_tasks(window.number)[0].due_date == date(2026, 11, 30)


def _registered_complete(engine, staff, working_days_ago: int, platform_id: str) -> Case:
    """A complete pre-application the platform received ``working_days_ago`` working days before today
    (Monday 23 November), registered by the clerk today."""
    received_on = engine.calendar.get().subtract_working_days(START.date(), working_days_ago).day
    account, _secret = engine.service_accounts.create(SYSTEM, "省政务服务平台")
    submitted = local_datetime(received_on, 8, 0)
    pre_id = engine.pre_applications.submit(account, body(engine, platform_id, submitted=submitted))[0]["id"]
    return engine.pre_applications.register(staff["clerk1"], pre_id, person(), intake(engine, FOOD))


# Receipt Thursday 19 November: today is its 3rd working day; Monday 16 November: today is the 5th
# working day after it, the last of the notice's five.
@pytest.mark.parametrize("working_days_ago", [2, 5])
def test_a_complete_one_registered_within_its_five_days_is_accepted_that_day(engine, staff, sign_in,
                                                                            working_days_ago):
    case = engine.get_case(_registered_complete(engine, staff, working_days_ago, "GD-IN-TIME").number)
    assert case.received_on < START.date() and case.status == "已受理"
    assert case.accepted_on == START.date() and not case.deemed_accepted
    assert case.due_date == engine.calendar.get().add_working_days(START.date(), case.promised_limit_days).day
    notice = sign_in("clerk1").get(f"/cases/{case.number}/notice").data.decode()
    assert "受理日期：2026年11月23日" in notice and "视为受理" not in notice


def test_a_complete_one_registered_after_its_five_days_counts_as_accepted_from_its_receipt(engine, staff,
                                                                                         sign_in):
    # Receipt Friday 13 November; today, Monday 23 November, is its 7th working day.
    case = engine.get_case(_registered_complete(engine, staff, 6, "GD-LATE-COMPLETE").number)
    received = date(2026, 11, 13)
    assert case.received_on == received and case.status == "已受理"
    assert case.deemed_accepted and case.accepted_on == received
    due = engine.calendar.get().add_working_days(received, case.promised_limit_days).day
    assert case.due_date == due and due < engine.calendar.get().add_working_days(START.date(),
                                                                                 case.promised_limit_days).day
    clerk = sign_in("clerk1")
    notice = clerk.get(f"/cases/{case.number}/notice").data.decode()
    assert "受理通知书" in notice and "一次性告知书" not in notice
    assert "起视为受理" in notice and "（2026年11月13日）" in notice and f"{due.year}年{due.month}月{due.day}日" in notice
    assert "逾期未处理，自收件之日起视为受理" in clerk.get(f"/cases/{case.number}").data.decode()


def test_the_sweeps_yellow_and_red_events_carry_the_platforms_id(engine, staff, clock):
    case = _registered_complete(engine, staff, 0, "GD-SWEPT")
    due = engine.get_case(case.number).due_date
    for day in (engine.calendar.get().subtract_working_days(due, 1).day, due + timedelta(days=3)):
        clock.set(local_datetime(day, 10, 0))
        engine.sweep_deadlines()
    with engine.session() as session:
        swept = list(session.scalars(select(OutboxEvent).where(OutboxEvent.case_id == case.id,
                                                               OutboxEvent.kind.in_(("task_yellow", "task_red")))))
    assert {event.kind for event in swept} == {"task_yellow", "task_red"}
    assert all(event.payload["case"]["platform_application_id"] == "GD-SWEPT" for event in swept)


def test_the_clerk_rejects_one_that_is_not_this_centers_with_a_reason(platform, sign_in, engine):
    pre_id = platform.post(SUBMIT_URL, json=body(engine)).get_json()["id"]
    clerk = sign_in("clerk1")
    detail = clerk.get(f"/pre-applications/{pre_id}").data.decode()
    assert "核对并登记" in detail and "退回" in detail
    assert clerk.post(f"/pre-applications/{pre_id}/reject", data={"reason": "不属于本中心"}).status_code == 400  # no CSRF
    short = clerk.post(f"/pre-applications/{pre_id}/reject", data={"reason": "不对", "csrf_token": clerk.csrf})
    assert short.status_code == 422 and 'data-field="reason"' in short.data.decode()
    clerk.get("/lang/en")
    english = clerk.post(f"/pre-applications/{pre_id}/reject", data={"reason": "x", "csrf_token": clerk.csrf})
    assert "the reason must be 5 to 500 characters" in english.data.decode()
    clerk.get("/lang/zh_Hans_CN")
    done = clerk.post(f"/pre-applications/{pre_id}/reject", data={"reason": "该事项应向省级主管部门申请",
                                                                   "csrf_token": clerk.csrf})
    assert done.status_code == 303
    row = _rows(engine)[0]
    assert row.state == "rejected" and row.rejection_reason == "该事项应向省级主管部门申请"
    assert clerk.get(f"/pre-applications/{pre_id}/register").status_code == 200
    refused = clerk.post(f"/pre-applications/{pre_id}/register", data=_register_form(engine, clerk, pre_id))
    assert refused.status_code == 409 and _cases(engine) == 0
    with engine.session() as session:
        assert session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "pre_application_rejected"))["reason"]
        event = session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "pre_application_rejected"))
    # The platform hears of the return as a status event naming its own id.
    assert event.case_id is None and event.payload["case"]["platform_application_id"] == "GD-2026-000123"
    assert event.payload["data"] == {"reason": "该事项应向省级主管部门申请"}


def test_only_the_window_handles_pre_applications(platform, sign_in, app, engine):
    pre_id = platform.post(SUBMIT_URL, json=body(engine)).get_json()["id"]
    for username in ("scjg_approver1", "supervisor", "admin"):
        client = sign_in(username)
        assert client.get("/pre-applications/").status_code == 403, username
        assert client.get(f"/pre-applications/{pre_id}").status_code == 403, username
    clerk = sign_in("clerk1")
    assert "网上预申请" in clerk.get("/cases/").data.decode()  # the menu entry
    assert clerk.get("/pre-applications/999999").status_code == 404
    with pytest.raises(Exception) as refused:
        engine.pre_applications.reject(actors(engine)["supervisor"], pre_id, "不属于本中心受理")
    assert refused.value.http_status == 403
    assert token_client(app, "clerk1").post(SUBMIT_URL, json=body(engine), headers={}).status_code == 401
    assert platform.get("/pre-applications/", headers=bearer("ows_nothing")).status_code in (302, 401)
