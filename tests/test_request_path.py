"""What one request asks of the database (docs/performance-levers.md): counted, so deterministic.

A request authenticates, acts and answers with as few connections and statements as the
levers leave; a registration checks its form before it takes the day's case counter.
"""

import threading

from bench.request_path import Counter
from engine.catalogue.models import ServiceItem
from engine.errors import InvalidInput
from engine.staff.service import get_actor
from tests.helpers import intake, only_task, person, token_client

FOOD_LICENCE = "SCJG-002"  # 承诺件 of 市场监管: the intake sends it to the department's review
REVIEW = {"decision": "approve", "opinion": "符合条件"}


def counted(app):
    counter = Counter()
    counter.attach(app.extensions["onewindow"].db)
    return counter


def test_a_claim_and_a_completion_authenticate_act_and_answer_in_two_connections(app, staff):
    engine = app.extensions["onewindow"]  # the app's own: its workflow cache holds the case, as in a worker
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    task = only_task(engine, case.number)
    client = token_client(app, "scjg_approver1")
    counter = counted(app)
    claimed = client.post(f"/api/v1/tasks/{task.id}/claim")
    assert claimed.status_code == 200 and claimed.json["assignee_name"] == "李明", claimed.json
    # The claim's answer (the inbox line) is read in the claim's transaction, from the case it locked.
    assert (counter.checkouts, counter.writes) == (2, 1), "\n".join(counter.log)
    assert sum(line.startswith("SELECT service_case") for line in counter.log) == 1, "\n".join(counter.log)
    # The claimer's name is his sign-in's: the answer reads no staff row for it.
    assert not any(line.startswith("SELECT staff.id, staff.name ") for line in counter.log), "\n".join(counter.log)
    # The item's name came with the case's lock.
    assert not any(line.startswith("SELECT service_item") for line in counter.log), "\n".join(counter.log)
    assert counter.statements <= {"postgresql": 7, "sqlite": 8}[engine.db.dialect.name], "\n".join(counter.log)
    counter.reset()
    done = client.post(f"/api/v1/tasks/{task.id}/complete", json=REVIEW)
    assert done.status_code == 200, done.json
    # The next task (the window's pickup) is the clerk's: the approver is sent back to the inbox.
    assert done.json == {"case_number": case.number, "case_status": "正常办结", "task_name": "审查决定",
                         "next_task_id": None}
    checkouts, writes, statements = counter.counts()
    # One read for the token (with cover and the password gate), one transaction for the step and
    # its answer: no pre-read of the task, no read of the open tasks after the commit.
    assert (checkouts, writes) == (2, 1), counter.log
    assert sum(line.startswith("SELECT human_task") for line in counter.log) == 1, counter.log
    # The item's heading and its department (the decision document's authority) come with the case's
    # lock, not loaded with the item's materials (twice, before) nor read apart.
    assert sum(line.startswith("SELECT item_material") for line in counter.log) == 0, counter.log
    assert not any(line.startswith(("SELECT service_item", "SELECT department")) for line in counter.log), counter.log
    # SQLite sends the outbox's and the audit's multi-row inserts one row at a time.
    assert statements <= {"postgresql": 16, "sqlite": 22}[engine.db.dialect.name], "\n".join(counter.log)


def test_the_next_task_comes_from_the_step_when_it_is_the_actors(app, staff):
    engine = app.extensions["onewindow"]
    with engine.session() as session:
        materials = [material.code for material in session.get(ServiceItem, FOOD_LICENCE).materials
                     if material.mandatory]
    missing = {**intake(engine, FOOD_LICENCE), "received_materials": materials[:-1]}
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), missing)
    notice = only_task(engine, case.number)
    client = token_client(app, "clerk1")
    counter = counted(app)
    done = client.post(f"/api/v1/tasks/{notice.id}/complete", json={})
    checkouts = counter.checkouts
    assert done.status_code == 200, done.json
    # The clerk waits for the correction next: that task is the clerk's, and named without a read.
    assert done.json["next_task_id"] == only_task(engine, case.number).id != notice.id
    assert checkouts == 2, "\n".join(counter.log)


def test_an_inbox_is_read_in_one_connection_after_the_token(app, staff):
    engine = app.extensions["onewindow"]
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    client = token_client(app, "scjg_approver1")
    counter = counted(app)
    inbox = client.get("/api/v1/tasks")
    assert inbox.status_code == 200 and [row["case_number"] for row in inbox.json] == [case.number]
    assert inbox.json[0]["item_name"] == "食品经营许可（新办）", inbox.json
    assert (counter.checkouts, counter.writes) == (2, 0), "\n".join(counter.log)
    # The token, the cover, the queue with its cases and their items' names (nobody holds the task yet).
    assert counter.statements == 3, "\n".join(counter.log)
    engine.claim_task(staff["scjg_approver1"], inbox.json[0]["id"])
    counter = counted(app)
    mine = client.get("/api/v1/tasks?mine=true")
    assert [(row["case_number"], row["assignee_name"]) for row in mine.json] == [(case.number, "李明")], mine.json
    assert counter.statements == 3, "\n".join(counter.log)  # the holder is the reader: no staff row read


def test_who_am_i_is_one_connection_and_two_statements(app, sign_in):
    client = token_client(app, "scjg_approver1")
    counter = counted(app)
    assert client.get("/api/v1/auth/me").status_code == 200
    assert (counter.checkouts, counter.statements) == (1, 2), counter.log  # the token, the cover (AB岗)
    session_client = sign_in("scjg_approver1")
    counter.reset()
    assert session_client.get("/api/v1/auth/me").status_code == 200
    assert (counter.checkouts, counter.statements) == (1, 2), counter.log  # the staff row, the cover


def test_a_refused_registration_does_not_wait_for_another_ones_transaction(postgres_url, clock):
    """The first registration holds its transaction, and so the day's counter, open (its source
    callback waits). A second one with a refused form is refused meanwhile: the form is checked
    before the counter is taken. The numbers stay gap-free (docs/rules.md, "Case numbers")."""
    from engine.runtime import CaseEngine

    engines = [CaseEngine(postgres_url, clock=clock) for _ in range(2)]
    form = intake(engines[0], FOOD_LICENCE)
    with engines[0].session() as session:
        clerks = [get_actor(session, name) for name in ("clerk1", "clerk2")]
    inside, release, results = threading.Event(), threading.Event(), {}

    def hold(_session, _case):
        inside.set()
        assert release.wait(30)

    def first():
        results["first"] = engines[0].create_case(clerks[0], FOOD_LICENCE, person(), form, source=hold).number

    def refused():
        try:
            engines[1].create_case(clerks[1], FOOD_LICENCE, person(), {**form, "delivery_method": "teleport"})
        except InvalidInput as error:
            results["refused"] = error.field

    holder = threading.Thread(target=first)
    holder.start()
    try:
        assert inside.wait(30)
        follower = threading.Thread(target=refused)
        follower.start()
        follower.join(timeout=15)
        assert not follower.is_alive(), "the refused registration waited for the first one's transaction"
        assert results == {"refused": "delivery_method"}
    finally:
        release.set()
        holder.join(timeout=30)
    second = engines[1].create_case(clerks[1], FOOD_LICENCE, person(), form).number
    for engine in engines:
        engine.db.dispose()
    assert [results["first"], second] == [f"ZW20261123{n:05d}" for n in (1, 2)]


def test_reading_a_case_with_a_history_is_one_session_after_the_token(app, staff):
    engine = app.extensions["onewindow"]
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    review = only_task(engine, case.number)
    engine.claim_task(staff["scjg_approver1"], review.id)
    engine.complete_task(staff["scjg_approver1"], review.id, REVIEW)
    client = token_client(app, "clerk1")
    counter = counted(app)
    read = client.get(f"/api/v1/cases/{case.number}")
    assert read.status_code == 200 and read.json["number"] == case.number, read.json
    assert read.json["status"] == "正常办结", read.json
    # The token, then one session for the case, its permission, its rows and its workflow (once).
    assert (counter.checkouts, counter.writes) == (2, 0), "\n".join(counter.log)
    # The audit trail is read once, for the history and the one-time notices alike.
    assert sum(line.startswith("SELECT audit_entry") for line in counter.log) == 1, "\n".join(counter.log)
    # A case without opinions, clock stops, extensions, a parcel or commitments asks once whether it has any.
    assert not any(line.startswith(("SELECT joint_opinion", "SELECT clock_suspension", "SELECT postal_parcel"))
                   for line in counter.log), "\n".join(counter.log)
    # Staff names are read once: the registering clerk is one of the trail's people.
    assert sum(line.startswith("SELECT staff.id, staff.name ") for line in counter.log) == 1, "\n".join(counter.log)
    assert counter.statements <= 9, "\n".join(counter.log)


def test_a_registration_answers_with_the_case_read_in_one_session(app, staff):
    engine = app.extensions["onewindow"]
    client = token_client(app, "clerk1")
    application = {"item_code": FOOD_LICENCE, "applicant": person(), "intake": intake(engine, FOOD_LICENCE)}
    counter = counted(app)
    created = client.post("/api/v1/cases", json=application)
    assert created.status_code == 201, created.json
    # The token, the registration's transaction, the case's answer (10 connections and 42 statements on
    # PostgreSQL when each of its reads took a session). SQLite sends multi-row inserts row by row.
    assert (counter.checkouts, counter.writes) == (3, 1), "\n".join(counter.log)
    assert counter.statements <= {"postgresql": 22, "sqlite": 26}[engine.db.dialect.name], "\n".join(counter.log)
