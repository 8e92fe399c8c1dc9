"""Appointments (预约) through HTTP: the public booking page and API without sign-in, cancelling, the
window's list of the day with arrivals and no-shows, registering from an appointment through the
intake form, the slots page, and refusals that name their field in the reader's language."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.appointments.models import Appointment
from engine.audit.models import AuditEntry
from engine.cases.models import Case
from engine.clock import local_datetime
from tests.helpers import intake, person, resident_id, token_client

TUESDAY = date(2026, 11, 24)
ITEM = "SCJG-002"


@pytest.fixture
def api(app):
    return lambda username: token_client(app, username)


def _count(engine, model, *where) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _places(client, day=TUESDAY, item=ITEM):
    response = client.get(f"/api/v1/public/appointment-slots?item={item}&date={day.isoformat()}")
    assert response.status_code == 200, response.json
    return response.json


def _slot_id(client, window="ZH-01", starts="10:00"):
    return next(place["slot_id"] for place in _places(client) if (place["window_code"], place["starts_at"]) == (
        window, starts))


def _book(client, applicant=None, **overrides):
    body = {"item_code": ITEM, "date": TUESDAY.isoformat(), "slot_id": _slot_id(client),
            "applicant": person() if applicant is None else applicant, **overrides}
    return client.post("/api/v1/public/appointments", json=body)


def test_booking_online_without_sign_in_and_cancelling_with_code_and_phone(app, engine):
    public = app.test_client()
    places = _places(public)
    assert {"slot_id", "window_code", "window_name", "starts_at", "ends_at", "capacity", "free"} == set(places[0])
    booked = _book(public)
    assert booked.status_code == 201, booked.json
    assert set(booked.json) == {"code", "state", "date", "starts_at", "ends_at", "window_name", "item_name"}
    assert (booked.json["state"], booked.json["starts_at"], booked.json["window_name"]) == ("booked", "10:00", "综合窗口1")
    again = _book(public)
    assert (again.status_code, again.json["field"]) == (409, "applicant.id_number")
    wrong = public.post("/api/v1/public/appointments/cancel", json={"code": booked.json["code"], "phone": "13900000000"})
    assert (wrong.status_code, wrong.json["field"]) == (404, "code")
    done = public.post("/api/v1/public/appointments/cancel", json={"code": booked.json["code"], "phone": "13800138000"})
    assert (done.status_code, done.json["state"]) == (200, "cancelled")


@pytest.mark.parametrize("body, status, field", [
    ({"slot_id": "1"}, 422, "slot_id"), ({"slot_id": 2**40}, 422, "slot_id"), ({"date": "2026-02-30"}, 422, "date"),
    ({"date": "2026-11-28"}, 422, "date"), ({"applicant": []}, 422, "applicant"),
    ({"applicant": person(id_number="110105194912310021")}, 422, "applicant.id_number"),
    ({"applicant": {**person(), "extra": 1}}, 422, "applicant.extra"), ({"item_code": "NOPE-1"}, 404, "item_code"),
    ({"slot_id": 99999}, 404, "slot_id"),
])
def test_junk_bookings_are_4xx_naming_the_field_and_change_nothing(app, engine, body, status, field):
    response = _book(app.test_client(), **body)
    assert (response.status_code, response.json.get("field")) == (status, field), response.json
    assert _count(engine, Appointment) == 0


def test_refusals_speak_the_readers_language_and_name_the_field(app):
    public = app.test_client()
    saturday = public.get("/api/v1/public/appointment-slots?item=SCJG-002&date=2026-11-28",
                          headers={"Accept-Language": "en"})
    assert saturday.status_code == 422 and saturday.json["message"] == "2026-11-28 is not a working day"
    chinese = public.get("/api/v1/public/appointment-slots?item=SCJG-002&date=2027-01-04",
                         headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "工作日历尚无 2027 年" in chinese.json["message"]
    missing = public.get("/api/v1/public/appointment-slots?item=SCJG-002", headers={"Accept-Language": "zh-CN"})
    assert (missing.status_code, missing.json["field"]) == (422, "date") and "预约日期" in missing.json["message"]
    bad_id = _book(public, applicant=person(id_number="110105194912310021"))
    assert (bad_id.json["field"], bad_id.json["message"][:5]) == ("applicant.id_number", "证件号码：")


def test_the_public_page_books_and_the_guide_links_to_it(app, engine):
    public = app.test_client()
    guide = public.get(f"/guide/{ITEM}").get_data(as_text=True)
    assert f'href="/book/{ITEM}"' in guide
    page = public.get(f"/book/{ITEM}?date={TUESDAY.isoformat()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    slot = re.search(r'name="slot_id" value="(\d+)"', html).group(1)
    form = {"csrf_token": token, "date": TUESDAY.isoformat(), "slot_id": slot,
            **{f"applicant.{key}": value for key, value in person().items()}}
    posted = public.post(f"/book/{ITEM}", data=form)
    assert posted.status_code == 303 and posted.location.endswith("/book/booked")
    receipt = public.get("/book/booked").get_data(as_text=True)
    code = re.search(r'id="booking-code"><strong>([A-Z0-9]{8})<', receipt).group(1)
    assert _count(engine, Appointment, Appointment.code == code, Appointment.channel == "online") == 1
    unsafe = app.test_client().post(f"/book/{ITEM}", data={**form, "csrf_token": "forged"})
    assert unsafe.status_code == 400 and _count(engine, Appointment) == 1
    refused = public.post(f"/book/{ITEM}", data={**form, "applicant.phone": "12"})
    assert refused.status_code == 422 and 'data-field="applicant.phone"' in refused.get_data(as_text=True)
    cancelled = public.post("/book/cancel", data={"csrf_token": token, "code": code, "phone": "13800138000"})
    assert cancelled.status_code == 200 and 'id="cancelled"' in cancelled.get_data(as_text=True)


def test_the_windows_day_arrivals_and_no_shows_through_the_api(app, api, engine, clock):
    public = app.test_client()
    first = _book(public).json
    _book(public, applicant=person("李四", id_number=resident_id(serial="222")), slot_id=_slot_id(public, "ZH-02"))
    clerk = api("clerk1")
    rows = clerk.get(f"/api/v1/appointments?date={TUESDAY.isoformat()}&window=ZH-01")
    assert rows.status_code == 200 and [row["code"] for row in rows.json] == [first["code"]]
    assert rows.json[0]["id_number"] == person()["id_number"]
    masked = api("supervisor").get(f"/api/v1/appointments?date={TUESDAY.isoformat()}").json
    assert len(masked) == 2 and "*" in masked[0]["id_number"]
    assert api("scjg_approver1").get(f"/api/v1/appointments?date={TUESDAY.isoformat()}").status_code == 403
    unknown = clerk.get(f"/api/v1/appointments?date={TUESDAY.isoformat()}&window=NOPE")
    assert (unknown.status_code, unknown.json["field"]) == (422, "window")
    appointment_id = rows.json[0]["id"]
    clock.set(local_datetime(TUESDAY, 9, 30))
    early = clerk.post(f"/api/v1/appointments/{appointment_id}/no-show")
    assert (early.status_code, early.json["field"]) == (409, "appointment")
    clock.set(local_datetime(TUESDAY, 10, 20))
    assert api("supervisor").post(f"/api/v1/appointments/{appointment_id}/no-show").status_code == 403
    missed = clerk.post(f"/api/v1/appointments/{appointment_id}/no-show")
    assert (missed.status_code, missed.json["state"]) == (200, "no_show")
    assert _count(engine, AuditEntry, AuditEntry.action == "appointment_no_show") == 1
    assert clerk.post("/api/v1/appointments/99999/arrived").status_code == 404


def test_a_clerk_books_by_phone_and_registers_the_arriving_applicant_from_the_form(sign_in, api, engine, clock):
    clerk_api = api("clerk1")
    booked = clerk_api.post("/api/v1/appointments", json={"item_code": ITEM, "date": TUESDAY.isoformat(),
                                                          "slot_id": _slot_id(clerk_api), "applicant": person(),
                                                          "channel": "phone"})
    assert booked.status_code == 201 and booked.json["channel"] == "phone", booked.json
    clock.set(local_datetime(TUESDAY, 10, 3))
    clerk = sign_in("clerk1")
    day = clerk.get(f"/appointments/?date={TUESDAY.isoformat()}").get_data(as_text=True)
    link = f'/cases/new/{ITEM}?appointment={booked.json["id"]}'
    assert link in day and booked.json["code"] in day
    form_page = clerk.get(link).get_data(as_text=True)
    assert f'value="{person()["id_number"]}"' in form_page and 'name="appointment" value="' in form_page
    form = {"csrf_token": clerk.csrf, "appointment": str(booked.json["id"]), "acceptable": "yes",
            "delivery_method": "pickup", "received_materials": intake(engine, ITEM)["received_materials"],
            "idempotency_key": "a" * 32, **{f"applicant.{key}": value for key, value in person().items()}}
    registered = clerk.post(f"/cases/new/{ITEM}", data=form)
    assert registered.status_code == 303, registered.get_data(as_text=True)[:600]
    number = registered.location.rsplit("/", 1)[1]
    line = clerk_api.get(f"/api/v1/appointments?date={TUESDAY.isoformat()}").json[0]
    assert (line["state"], line["case_number"]) == ("registered", number)
    resubmitted = clerk.post(f"/cases/new/{ITEM}", data=form)
    assert resubmitted.status_code == 303 and resubmitted.location.endswith(number)
    twice = clerk.post(f"/cases/new/{ITEM}", data={**form, "idempotency_key": "b" * 32})
    assert twice.status_code == 409 and _count(engine, Case) == 1
    assert clerk.get(f"/cases/new/SCJG-001?appointment={booked.json['id']}").status_code in (409, 422)


def test_the_slots_page_for_the_administrator_and_the_menu(sign_in, engine):
    admin = sign_in("admin")
    page = admin.get("/appointments/slots").get_data(as_text=True)
    assert 'id="slot-form"' in page and "09:00–10:00" in page
    refused = admin.post("/appointments/slots", data={"csrf_token": admin.csrf, "window": "ZH-01",
                                                      "starts_at": "09:30", "ends_at": "10:30", "capacity": "2",
                                                      "active": "on"})
    assert refused.status_code == 409 and 'data-field="starts_at"' in refused.get_data(as_text=True)
    junk = admin.post("/appointments/slots", data={"csrf_token": admin.csrf, "window": "ZH-01", "starts_at": "x",
                                                   "ends_at": "10:30", "capacity": "many"})
    assert junk.status_code == 422 and "开始时间的格式不正确" in junk.get_data(as_text=True)
    admin.get("/lang/en")
    many = admin.post("/appointments/slots", data={"csrf_token": admin.csrf, "window": "ZH-01", "starts_at": "18:00",
                                                   "ends_at": "19:00", "capacity": "80"})
    assert many.status_code == 422 and "Places must be within 0–50" in many.get_data(as_text=True)
    clerk = sign_in("clerk1")
    assert 'href="/appointments/"' in clerk.get("/cases/").get_data(as_text=True)
    assert 'id="slot-form"' not in clerk.get("/appointments/slots").get_data(as_text=True)
    assert sign_in("scjg_approver1").get("/appointments/").status_code == 403


def test_the_pages_in_english(sign_in):
    clerk = sign_in("clerk1")
    clerk.get("/lang/en")
    page = clerk.get(f"/appointments/?date={TUESDAY.isoformat()}").get_data(as_text=True)
    assert "Appointments" in page and "窗口预约" not in page


def test_a_clerk_books_in_person_on_the_page(sign_in, engine):
    clerk = sign_in("clerk1")
    page = clerk.get(f"/appointments/book?item={ITEM}&date={TUESDAY.isoformat()}").get_data(as_text=True)
    slot = re.search(r'name="slot_id" value="(\d+)"', page).group(1)
    form = {"csrf_token": clerk.csrf, "item": ITEM, "date": TUESDAY.isoformat(), "slot_id": slot,
            "channel": "in_person", **{f"applicant.{key}": value for key, value in person().items()}}
    booked = clerk.post("/appointments/book", data=form)
    assert booked.status_code == 303 and "/appointments/?date=2026-11-24" in booked.location
    assert _count(engine, Appointment, Appointment.channel == "in_person") == 1
    refused = clerk.post("/appointments/book", data={**form, "channel": "online"})
    assert refused.status_code == 422 and 'data-field="channel"' in refused.get_data(as_text=True)
    holiday = clerk.get(f"/appointments/book?item={ITEM}&date=2026-10-01")
    assert holiday.status_code == 422 and 'data-field="date"' in holiday.get_data(as_text=True)
