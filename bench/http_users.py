"""The people of the HTTP load: clerks, approvers and supervisors, each a thread with its own
connection, doing what their inbox offers through the JSON API, and the record of every request.

Clerks register an application (a valid applicant, every mandatory material: the case is
accepted and goes to its department's review), then finish up to two window steps from the
window's queue (pickup, rating), those of their own applicants first (any clerk may take
any, so two clerks sometimes reach for the same one: a 409). Approvers take a task of their department from the inbox,
claim it and decide it. Supervisors read the board summary, pausing between reads as a
person does. Nobody else pauses: the load is as much as the server takes.
"""

import random
import threading
import time
from dataclasses import dataclass, field

import requests

from engine.cases.identity import resident_id_check

API = "/api/v1"
DECISION = {"decision": "approve", "opinion": "材料齐全，符合条件，准予许可"}
RATING = {"rating": "满意"}
# The task forms the workload fills (a task's ``form`` in the inbox); others are left alone.
FORMS_FILLED = ("decision.schema.json", "pickup.schema.json", "rating.schema.json")


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection failure or timeout)
    ms: float
    at: float


@dataclass
class Record:
    """Every request made, shared by the users' threads."""

    samples: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    applicants: dict = field(default_factory=dict)  # case number → applicant, for its pickup

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Client:
    """One person's connection to the server; every call timed and recorded under a kind."""

    def __init__(self, base: str, token: str, record: Record):
        self.base, self.record = base, record
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, kind: str, method: str, path: str, body=None):
        started = time.perf_counter()
        try:
            answer = self.http.request(method, f"{self.base}{API}{path}", json=body, timeout=30)
            status = answer.status_code
        except requests.RequestException:
            answer, status = None, 0
        self.record.add(Sample(kind, status, (time.perf_counter() - started) * 1000, time.monotonic()))
        return answer if status and status < 400 else None


def applicant(serial: int) -> dict:
    birth = f"19{60 + serial % 40:02d}{1 + serial % 12:02d}{1 + serial % 28:02d}"
    first17 = f"330102{birth}{serial % 1000:03d}"
    return {"kind": "person", "name": f"申请人{serial}", "id_type": "居民身份证",
            "id_number": first17 + resident_id_check(first17), "phone": f"138{serial % 100000000:08d}",
            "address": "示范市人民路1号"}


def intake(materials: list[str]) -> dict:
    return {"received_materials": materials, "material_defects": [], "acceptable": True,
            "delivery_method": "pickup"}


def pickup(person: dict) -> dict:
    return {"recipient_role": "申请人本人", "recipient_name": person["name"], "recipient_id_type": person["id_type"],
            "recipient_id_number": person["id_number"], "id_checked": True}


class Clerk:
    def __init__(self, client: Client, items: dict, serials):
        self.client, self.items, self.serials = client, items, serials
        self.registered = set()  # the applicants this clerk served come back to this clerk first

    def register(self, item_code: str | None = None) -> dict | None:
        item_code = item_code or random.choice(list(self.items))
        person = applicant(next(self.serials))
        body = {"item_code": item_code, "applicant": person, "intake": intake(self.items[item_code]["materials"])}
        created = self.client.call("create application", "POST", "/cases", body)
        if created is None:
            return None
        number = created.json()["number"]
        with self.client.record.lock:
            self.client.record.applicants[number] = person
        self.registered.add(number)
        return created.json()

    def window_step(self, task: dict) -> bool:
        form = self.form_for(task)
        return form is not None and self.client.call(
            "complete (window)", "POST", f"/tasks/{task['id']}/complete", form) is not None

    def form_for(self, task: dict) -> dict | None:
        if task["form"] == "rating.schema.json":
            return RATING
        person = self.client.record.applicants.get(task["case_number"])
        return pickup(person) if task["form"] == "pickup.schema.json" and person else None

    def open_steps(self) -> list[dict]:
        inbox = self.client.call("inbox", "GET", "/tasks")
        return [task for task in (inbox.json() if inbox else []) if task["assignee_id"] is None
                and task["form"] in FORMS_FILLED and self.form_for(task) is not None]

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.register()
            steps = self.open_steps()
            own = [task for task in steps if task["case_number"] in self.registered]
            others = [task for task in steps if task["case_number"] not in self.registered]
            for task in (own + random.sample(others, len(others)))[:2]:
                if self.window_step(task) and task["form"] == "rating.schema.json":
                    self.registered.discard(task["case_number"])


class Approver:
    def __init__(self, client: Client, staff_id: int):
        self.client, self.staff_id = client, staff_id

    def next_task(self) -> dict | None:
        inbox = self.client.call("inbox", "GET", "/tasks")
        tasks = [task for task in (inbox.json() if inbox else []) if task["form"] == "decision.schema.json"]
        mine = [task for task in tasks if task["assignee_id"] == self.staff_id]  # a claim whose decision failed
        free = [task for task in tasks if task["assignee_id"] is None]
        if mine:
            return mine[0]
        return random.choice(free) if free else None

    def decide(self, task: dict) -> bool:
        if task["assignee_id"] is None and self.client.call("claim", "POST", f"/tasks/{task['id']}/claim") is None:
            return False
        return self.client.call("complete (review)", "POST", f"/tasks/{task['id']}/complete", DECISION) is not None

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            task = self.next_task()
            if task is None:
                stop.wait(0.05)  # nothing to decide yet: look again shortly
            else:
                self.decide(task)


class Supervisor:
    def __init__(self, client: Client, pause: float):
        self.client, self.pause = client, pause

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.client.call("board summary", "GET", "/board/summary")
            stop.wait(self.pause)
