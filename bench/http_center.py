"""The service center an HTTP load runs against: its staff, signed in, and what they register.

On a database of the run's own, the demo center (catalogue, processes, calendar) with an
account per simulated person — N clerks, approvers spread over the departments that decide
承诺件, supervisors — each with a password already chosen, so that signing in is the one
token request a working day starts with. Against a server given by URL the demo accounts
are shared round-robin instead (signing in as a first production sign-in must).
"""

import itertools
import secrets
from dataclasses import dataclass

import requests
from sqlalchemy import select

from bench.http_users import API
from bench.serving import signed_in
from engine.catalogue.loader import DEMO_CATALOGUE, read_catalogue_file
from engine.demo import seed_demo_center
from engine.migrate import upgrade
from engine.runtime import CaseEngine
from engine.staff.models import Staff
from engine.staff.passwords import set_password
from engine.staff.service import create_staff

# The users of the mix: 8 clerks, 10 approvers and 2 supervisors of every 20.
SHARES = {"clerk": 8, "approver": 10, "supervisor": 2}
DECIDED_IN_DEPARTMENT = "承诺件"  # accepted, reviewed by the department, handed out at the window


@dataclass
class Person:
    kind: str
    username: str
    department_code: str | None
    token: str = ""
    staff_id: int = 0


def head_counts(users: int) -> dict[str, int]:
    supervisors = max(1, round(users * SHARES["supervisor"] / 20))
    clerks = max(1, round(users * SHARES["clerk"] / 20))
    return {"clerk": clerks, "approver": max(1, users - clerks - supervisors), "supervisor": supervisors}


def workload_items(base: str, token: str) -> dict[str, dict]:
    """Item code → its department and mandatory materials, for every 承诺件 (one department reviews it)."""
    headers = {"Authorization": f"Bearer {token}"}
    catalogue = requests.get(f"{base}{API}/cases/items", headers=headers, timeout=30)
    catalogue.raise_for_status()
    items = {}
    for item in catalogue.json():
        if item["case_type"] == DECIDED_IN_DEPARTMENT:
            detail = requests.get(f"{base}{API}/cases/items/{item['code']}", headers=headers, timeout=30)
            detail.raise_for_status()
            items[item["code"]] = {"department": item["department_code"], "materials": [
                material["code"] for material in detail.json()["item"]["materials"] if material["mandatory"]]}
    return items


def prepare_center(url: str, users: int) -> tuple[list[Person], str]:
    """Migrate and seed the run's database; an account per person with a chosen password.
    Returns the people and their password."""
    upgrade(url)
    engine = CaseEngine(url)
    try:
        seed_demo_center(engine, production=True)
        password = f"Load-{secrets.token_hex(6)}-Run"
        with engine.session() as session:
            departments = [code for (code,) in session.execute(select(Staff.department_code).where(
                Staff.role == "approver").distinct().order_by(Staff.department_code))]
        people = _people(head_counts(users), deciding(departments))
        now = engine.clock.now()
        with engine.transaction() as session:
            first = None
            for person in people:
                staff = create_staff(session, username=person.username, name=f"压测{person.username}",
                                     role=person.kind, department_code=person.department_code, now=now)
                if first is None:
                    set_password(staff, password, now=now, chosen=True)
                    first = staff
                else:  # one argon2 hash for all (each costs about half a second here)
                    staff.password_hash, staff.password_changed_at = first.password_hash, now
    finally:
        engine.db.dispose()
    return people, password


def deciding(departments: list[str]) -> list[str]:
    """The departments whose items the clerks register (those that decide a 承诺件 in the demo)."""
    items = read_catalogue_file(DEMO_CATALOGUE)["items"]
    return [code for code in departments
            if any(item["department"] == code and item["case_type"] == DECIDED_IN_DEPARTMENT for item in items)]


def _people(counts: dict[str, int], departments: list[str]) -> list[Person]:
    people = [Person("clerk", f"load_clerk{n + 1}", None) for n in range(counts["clerk"])]
    spread = itertools.cycle(departments)
    people += [Person("approver", f"load_approver{n + 1}", next(spread)) for n in range(counts["approver"])]
    people += [Person("supervisor", f"load_supervisor{n + 1}", None) for n in range(counts["supervisor"])]
    return people


def shared_demo_people(users: int, departments: list[str]) -> list[Person]:
    """For a server given by URL: the demo accounts, shared round-robin when there are more people."""
    counts = head_counts(users)
    clerks = itertools.cycle(["clerk1", "clerk2", "clerk3"])
    approvers = itertools.cycle([(f"{code.lower()}_approver{n}", code) for n in (1, 2) for code in departments])
    people = [Person("clerk", next(clerks), None) for _ in range(counts["clerk"])]
    people += [Person("approver", *next(approvers)) for _ in range(counts["approver"])]
    return people + [Person("supervisor", "supervisor", None) for _ in range(counts["supervisor"])]


def sign_in_all(base: str, people: list[Person], password: str) -> None:
    """Each account signs in once; people sharing an account share its token."""
    tokens = {}
    for person in people:
        if person.username not in tokens:
            token = signed_in(base, person.username, password)
            me = requests.get(f"{base}{API}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
            me.raise_for_status()
            tokens[person.username] = (token, me.json()["id"])
        person.token, person.staff_id = tokens[person.username]
