"""A retried registration makes one case: ``Idempotency-Key`` on the API, a key per intake form."""

import re
import threading

from sqlalchemy import func, select

from engine.cases.models import Case, IdempotencyKey
from engine.clock import SimulatedClock
from engine.errors import InvalidInput
from engine.runtime import CaseEngine
from tests.conftest import START, actors
from tests.helpers import intake, person

FOOD = "SCJG-002"


def _cases(engine) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(Case))


def test_the_same_key_returns_the_same_case_and_another_body_is_refused(sign_in, engine):
    clerk = sign_in("clerk1")
    body = {"item_code": FOOD, "applicant": person(), "intake": intake(engine, FOOD)}
    headers = {"X-CSRFToken": clerk.csrf, "Idempotency-Key": "4f1c2b7e-retry-1"}
    first = clerk.post("/api/v1/cases", json=body, headers=headers)
    retried = clerk.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == retried.status_code == 201
    assert retried.get_json() == first.get_json()
    assert _cases(engine) == 1
    changed = clerk.post("/api/v1/cases", json={**body, "applicant": person("李四")}, headers=headers)
    assert changed.status_code == 422 and changed.get_json()["field"] == "Idempotency-Key"
    bad_key = clerk.post("/api/v1/cases", json=body, headers={**headers, "Idempotency-Key": "has space"})
    assert bad_key.status_code == 422 and bad_key.get_json()["field"] == "Idempotency-Key"
    # Without a key every post is a new application; another clerk's key is another key.
    assert clerk.post("/api/v1/cases", json=body, headers={"X-CSRFToken": clerk.csrf}).status_code == 201
    other = sign_in("clerk2")
    assert other.post("/api/v1/cases", json=body, headers={**headers, "X-CSRFToken": other.csrf}).status_code == 201
    assert _cases(engine) == 3
    with engine.session() as session:
        keys = session.scalars(select(IdempotencyKey)).all()
    assert len(keys) == 2 and all(key.case_id is not None and len(key.fingerprint) == 64 for key in keys)


def test_a_refused_registration_does_not_use_up_its_key(engine, staff):
    refused = {"kind": "person", "name": "张三"}
    try:
        engine.create_case(staff["clerk1"], FOOD, refused, intake(engine, FOOD), idempotency_key="k1")
    except InvalidInput:
        pass
    case = engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD), idempotency_key="k1")
    assert engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD), idempotency_key="k1").id == case.id
    assert _cases(engine) == 1


def test_the_intake_page_sends_one_key_per_form(sign_in, engine):
    clerk = sign_in("clerk1")
    page = clerk.get(f"/cases/new/{FOOD}").data.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
    assert key not in clerk.get(f"/cases/new/{FOOD}").data.decode()  # a new form, a new key
    form = {"csrf_token": clerk.csrf, "received_materials": intake(engine, FOOD)["received_materials"],
            "acceptable": "yes", "delivery_method": "pickup", "idempotency_key": key}
    form.update({f"applicant.{name}": value for name, value in person().items()})
    first = clerk.post(f"/cases/new/{FOOD}", data=form)
    again = clerk.post(f"/cases/new/{FOOD}", data=form)  # the browser resends after a timeout
    assert first.status_code == again.status_code == 303 and first.location == again.location
    assert _cases(engine) == 1


def test_two_concurrent_posts_with_one_key_make_one_case(postgres_url):
    engines = [CaseEngine(postgres_url, clock=SimulatedClock(START)) for _ in range(2)]
    try:
        clerk = actors(engines[0])["clerk1"]
        form = intake(engines[0], FOOD)
        def register(engine, key, barrier, results):
            barrier.wait()
            results.append(engine.create_case(clerk, FOOD, person(), form, idempotency_key=key).number)

        for race in range(10):
            barrier, results = threading.Barrier(2), []
            threads = [threading.Thread(target=register, args=(engine, f"race-{race}", barrier, results))
                       for engine in engines]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(results) == 2 and results[0] == results[1]
        assert _cases(engines[0]) == 10
    finally:
        for engine in engines:
            engine.db.dispose()
