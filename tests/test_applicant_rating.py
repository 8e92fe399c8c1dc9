"""The applicant's own rating (好差评): the notices' link and QR code, the signed one-time token, the
rating counted in the rates, the clerk's step recording the invitation, 未评价 once the invitation lapses,
and the department's contest (申诉复核); on SQLite and PostgreSQL."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import Conflict, Forbidden, InvalidInput
from engine.supervision.models import CaseRating, RatingContest
from scheduler import jobs
from tests.helpers import approve_in_back_office, intake, only_task, person, pickup_form, signed_in_client
from tests.test_supervision import count

FOOD_LICENCE = "SCJG-002"
LINK = re.compile(r"https?://[^/\s<]+/rate/([A-Za-z0-9_.\-]+)")


def accepted(engine, staff):
    return engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))


def delivered(engine, staff):
    """Accepted, approved and picked up: the clerk's rating step is open."""
    case = accepted(engine, staff)
    approve_in_back_office(engine, case.number, staff["scjg_approver1"])
    engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, pickup_form())
    return case


def token_of(app, number: str) -> str:
    with app.test_request_context():
        from web.public.rating import token_for

        return token_for(number)


def rating_row(engine, case) -> CaseRating | None:
    with engine.session() as session:
        return session.scalar(select(CaseRating).where(CaseRating.case_id == case.id))


def test_the_acceptance_and_result_notices_carry_the_rating_link_and_qr_code(app, engine, staff):
    case = accepted(engine, staff)
    clerk = signed_in_client(app, "clerk1")
    notice = clerk.get(f"/cases/{case.number}/notices/acceptance/1").data.decode()
    assert 'id="rating-invitation"' in notice and '<svg' in notice and 'class="segno"' in notice
    (token,) = set(LINK.findall(notice))
    assert token == token_of(app, case.number)
    approve_in_back_office(engine, case.number, staff["scjg_approver1"])
    result = clerk.get(f"/cases/{case.number}/notices/permit_granted/1").data.decode()
    assert set(LINK.findall(result)) == {token} and '<svg' in result
    rejected_form = clerk.get(f"/cases/{case.number}/notices/delivery_receipt/1")
    assert 'id="rating-invitation"' not in rejected_form.data.decode()


def test_a_token_rates_once_and_the_rating_counts(app, engine, staff):
    case = delivered(engine, staff)
    client = app.test_client()  # no sign-in
    token = token_of(app, case.number)
    answer = client.post("/api/v1/public/ratings", json={"token": token, "level": "满意", "comment": "办事快"})
    assert answer.status_code == 201, answer.json
    assert (answer.json["case_number"], answer.json["level"], answer.json["item_name"]) == (
        case.number, "满意", "食品经营许可（新办）")
    row = rating_row(engine, case)
    assert (row.rating, row.comment, row.source, row.entered_by_id, row.verification) == (
        "满意", "办事快", "applicant", None, "not_required")
    assert row.responsible_staff_id == staff["scjg_approver1"].id
    again = client.post("/api/v1/public/ratings", json={"token": token, "level": "不满意"})
    assert again.status_code == 409 and again.json["field"] == "token"
    assert rating_row(engine, case).rating == "满意"
    sheet = engine.supervision.satisfaction(staff["supervisor"], "2026-11")
    assert (sheet.total.rated, sheet.total.good, sheet.total.rate) == (1, 1, 100.0)
    assert "rating_by_applicant" in [entry.action for entry in engine.case_history(case.number)]


@pytest.mark.parametrize("change", ["tamper", "other_secret", "garbage", "empty"])
def test_a_tampered_token_is_refused_with_422(app, engine, staff, change):
    case = delivered(engine, staff)
    token = token_of(app, case.number)
    forged = {"tamper": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
              "other_secret": _foreign_token(case.number), "garbage": "not-a-token", "empty": ""}[change]
    answer = app.test_client().post("/api/v1/public/ratings", json={"token": forged, "level": "非常满意"})
    assert answer.status_code == 422 and answer.json["field"] == "token"
    assert rating_row(engine, case) is None


def _foreign_token(number: str) -> str:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer("another-secret", salt="onewindow-rating").dumps({"case": number})


def test_a_bad_level_or_a_case_not_yet_accepted_is_refused(app, engine, staff):
    case = delivered(engine, staff)
    client = app.test_client()
    bad = client.post("/api/v1/public/ratings", json={"token": token_of(app, case.number), "level": "还行"})
    assert bad.status_code == 422 and bad.json["field"] == "level"
    noticed = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE, missing=1))
    early = client.post("/api/v1/public/ratings", json={"token": token_of(app, noticed.number), "level": "满意"})
    assert early.status_code == 409 and early.json["field"] == "token"


def test_the_rating_page_takes_the_five_levels_and_redirects(app, engine, staff):
    case = delivered(engine, staff)
    client = app.test_client()
    token = token_of(app, case.number)
    page = client.get(f"/rate/{token}").data.decode()
    for level in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f'value="{level}"' in page
    from tests.helpers import csrf_token_of

    posted = client.post(f"/rate/{token}", data={"csrf_token": csrf_token_of(page.encode()), "level": "非常不满意",
                                                 "comment": "态度差"})
    assert posted.status_code == 303
    thanks = client.get(posted.headers["Location"]).data.decode()
    assert case.number in thanks and "非常不满意" in thanks
    row = rating_row(engine, case)
    assert (row.rating, row.verification) == ("非常不满意", "pending")  # a bad rating waits for verification
    used = client.post(f"/rate/{token}", data={"csrf_token": csrf_token_of(page.encode()), "level": "满意"})
    assert used.status_code == 409 and "已评价" in used.data.decode()
    assert client.get("/rate/forged-token").status_code == 422


def test_the_clerks_step_records_the_invitation_and_the_applicants_rating_counts(app, engine, staff):
    before = delivered(engine, staff)  # rated online before the clerk's step
    assert app.test_client().post("/api/v1/public/ratings", json={
        "token": token_of(app, before.number), "level": "基本满意"}).status_code == 201
    engine.complete_task(staff["clerk2"], only_task(engine, before.number).id, {"rating": "已邀请评价"})
    assert engine.get_case(before.number).status == "正常办结"
    assert rating_row(engine, before).rating == "基本满意"

    after = delivered(engine, staff)  # invited first, rated afterwards
    engine.complete_task(staff["clerk2"], only_task(engine, after.number).id, {"rating": "已邀请评价"})
    assert rating_row(engine, after) is None
    assert app.test_client().post("/api/v1/public/ratings", json={
        "token": token_of(app, after.number), "level": "非常满意"}).status_code == 201
    assert (rating_row(engine, after).rating, rating_row(engine, after).source) == ("非常满意", "applicant")

    # A level typed at the window after the applicant rated himself is refused: one rating per case.
    third = delivered(engine, staff)
    app.test_client().post("/api/v1/public/ratings", json={"token": token_of(app, third.number), "level": "满意"})
    with pytest.raises(Conflict) as refused:
        engine.complete_task(staff["clerk2"], only_task(engine, third.number).id, {"rating": "不满意"})
    assert refused.value.field == "rating" and rating_row(engine, third).rating == "满意"
    sheet = engine.supervision.satisfaction(staff["supervisor"], "2026-11")
    assert (sheet.total.rated, sheet.total.good) == (3, 3)


def test_an_unrated_case_closes_as_not_rated_exactly_once(app, engine, staff, clock):
    case = delivered(engine, staff)
    rated = delivered(engine, staff)
    app.test_client().post("/api/v1/public/ratings", json={"token": token_of(app, rated.number), "level": "满意"})
    clock.advance(timedelta(days=14, hours=23))
    assert jobs.close_unrated_ratings(engine) == 0
    clock.advance(timedelta(hours=2))
    assert jobs.close_unrated_ratings(engine) == 1
    assert jobs.close_unrated_ratings(engine) == 0
    row = rating_row(engine, case)
    assert (row.rating, row.source, row.verification) == ("未评价", "closed", "not_required")
    assert count(engine, CaseRating) == 2
    assert [entry.action for entry in engine.case_history(case.number)].count("rating_closed") == 1
    late = app.test_client().post("/api/v1/public/ratings", json={"token": token_of(app, case.number),
                                                                  "level": "满意"})
    assert late.status_code == 409 and "未评价" in late.json["message"]
    sheet = engine.supervision.satisfaction(staff["supervisor"], f"{clock.today():%Y-%m}")
    assert sheet.total.rated in (0, 1)  # 未评价 is never on the five-level scale


def test_the_close_days_come_from_the_engine_settings(db_url, clock):
    from engine.settings import EngineSettings, SettingsError

    settings = EngineSettings.from_environment({"ONEWINDOW_DATABASE_URL": db_url, "ONEWINDOW_RATING_CLOSE_DAYS": "3"})
    assert settings.supervision.rating_close_days == 3
    engine = settings.open_engine(clock=clock)
    try:
        assert engine.supervision.policy.rating_close_days == 3
    finally:
        engine.db.dispose()
    assert EngineSettings.from_environment({"ONEWINDOW_DATABASE_URL": db_url}).supervision.rating_close_days == 15
    with pytest.raises(SettingsError):
        EngineSettings.from_environment({"ONEWINDOW_DATABASE_URL": db_url, "ONEWINDOW_RATING_CLOSE_DAYS": "0"})


def test_an_upheld_contest_takes_the_rating_out_of_the_rate(app, engine, staff):
    good, contested, kept = (delivered(engine, staff) for _ in range(3))
    client = app.test_client()
    for case, level in ((good, "满意"), (contested, "非常不满意"), (kept, "不满意")):
        assert client.post("/api/v1/public/ratings", json={"token": token_of(app, case.number),
                                                           "level": level}).status_code == 201
    supervisor, chief = staff["supervisor"], staff["scjg_chief"]
    assert engine.supervision.satisfaction(supervisor, "2026-11").total.rate == pytest.approx(33.3)
    with pytest.raises(Forbidden):
        engine.supervision.file_contest(staff["scjg_approver1"], contested.number, kind="malicious", reasons="恶意")
    with pytest.raises(Conflict):
        engine.supervision.file_contest(chief, good.number, kind="malicious", reasons="好评不申诉")
    with pytest.raises(InvalidInput) as bad_kind:
        engine.supervision.file_contest(chief, contested.number, kind="angry", reasons="x")
    assert bad_kind.value.field == "kind"
    engine.supervision.file_contest(chief, contested.number, kind="malicious",
                                    reasons="申请人因不符合条件被不予许可，以差评相要挟")
    engine.supervision.file_contest(chief, kept.number, kind="mistaken", reasons="申请人误点")
    with pytest.raises(Conflict):
        engine.supervision.file_contest(chief, contested.number, kind="malicious", reasons="再次申诉")
    assert [line[1] for line in engine.supervision.contests(chief)] == [contested.number, kept.number]
    with pytest.raises(Forbidden):
        engine.supervision.decide_contest(chief, contested.number, verdict="upheld", reason="自己复核")
    engine.supervision.decide_contest(supervisor, contested.number, verdict="upheld", reason="经调取录像，属恶意差评")
    engine.supervision.decide_contest(supervisor, kept.number, verdict="rejected", reason="申请人确认评价属实")
    with pytest.raises(Conflict):
        engine.supervision.decide_contest(supervisor, kept.number, verdict="upheld", reason="改判")
    excluded, pending = rating_row(engine, contested), rating_row(engine, kept)
    assert (excluded.verification, excluded.not_real_kind) == ("not_real", "malicious")
    assert pending.verification == "pending"  # rejected: verified as before
    sheet = engine.supervision.satisfaction(supervisor, "2026-11")
    assert (sheet.total.rated, sheet.total.excluded, sheet.total.counted, sheet.total.rate) == (3, 1, 2, 50.0)
    with engine.session() as session:
        states = dict(session.execute(select(RatingContest.kind, RatingContest.state)).all())
    assert states == {"malicious": "upheld", "mistaken": "rejected"}


def test_the_contest_api_chief_files_and_supervisor_decides(app, engine, staff):
    case = delivered(engine, staff)
    app.test_client().post("/api/v1/public/ratings", json={"token": token_of(app, case.number), "level": "不满意"})
    chief, supervisor = signed_in_client(app, "scjg_chief"), signed_in_client(app, "supervisor")
    refused = supervisor.post(f"/api/v1/supervision/ratings/{case.number}/contest", json={
        "kind": "mistaken", "reasons": "误点"}, headers={"X-CSRFToken": supervisor.csrf})
    assert refused.status_code == 403
    filed = chief.post(f"/api/v1/supervision/ratings/{case.number}/contest", json={
        "kind": "mistaken", "reasons": "申请人来电说明误点"}, headers={"X-CSRFToken": chief.csrf})
    assert filed.status_code == 201, filed.json
    assert (filed.json["state"], filed.json["kind"], filed.json["rating"]) == ("filed", "mistaken", "不满意")
    assert [row["case_number"] for row in chief.get("/api/v1/supervision/contests").json] == [case.number]
    decided = supervisor.post(f"/api/v1/supervision/ratings/{case.number}/contest/decision", json={
        "verdict": "upheld", "reason": "来电录音核实"}, headers={"X-CSRFToken": supervisor.csrf})
    assert decided.status_code == 200 and decided.json["state"] == "upheld"
    rate = supervisor.get("/api/v1/supervision/satisfaction", query_string={"period": "2026-11"}).json["total"]
    assert (rate["rated"], rate["excluded"], rate["counted"], rate["rate"]) == (1, 1, 0, None)


def test_the_contest_page_files_and_decides_with_303(app, engine, staff):
    from tests.helpers import csrf_token_of

    case = delivered(engine, staff)
    app.test_client().post("/api/v1/public/ratings", json={"token": token_of(app, case.number), "level": "不满意"})
    chief = signed_in_client(app, "scjg_chief")
    page = chief.get("/supervision/contests/").data.decode()
    assert case.number in page.split('id="contestable"')[1]
    filed = chief.post(f"/supervision/contests/{case.number}", data={
        "csrf_token": csrf_token_of(page.encode()), "kind": "malicious", "reasons": "以差评要挟"})
    assert filed.status_code == 303
    assert "暂无数据" in chief.get("/supervision/contests/").data.decode().split('id="contestable"')[1]
    supervisor = signed_in_client(app, "supervisor")
    decided = supervisor.post(f"/supervision/contests/{case.number}/decision", data={
        "csrf_token": supervisor.csrf, "verdict": "upheld", "reason": "核实属恶意"})
    assert decided.status_code == 303
    assert rating_row(engine, case).verification == "not_real"
    again = supervisor.post(f"/supervision/contests/{case.number}/decision", data={
        "csrf_token": supervisor.csrf, "verdict": "rejected", "reason": "再议"})
    assert again.status_code == 409 and "已复核" in again.data.decode()


def test_the_link_starts_with_the_public_address_when_one_is_set(app, engine, staff):
    case = accepted(engine, staff)
    app.config["PUBLIC_URL"] = "https://zwfw.example.gov.cn/"
    notice = signed_in_client(app, "clerk1").get(f"/cases/{case.number}/notices/acceptance/1").data.decode()
    assert f"https://zwfw.example.gov.cn/rate/{token_of(app, case.number)}" in notice


def test_two_schedulers_racing_close_each_unrated_case_once(db_url, engine, staff, clock):
    from tests.test_concurrency import race

    cases = [delivered(engine, staff) for _ in range(3)]
    clock.advance(timedelta(days=16))
    results = race(db_url, clock, 2, lambda racer, _index: jobs.close_unrated_ratings(racer))
    assert sum(results) == 3, results
    assert count(engine, CaseRating) == 3
    for case in cases:
        assert [entry.action for entry in engine.case_history(case.number)].count("rating_closed") == 1
