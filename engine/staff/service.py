"""Who is acting: the actor passed to every engine action, and staff records."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalogue.models import Department
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.staff.models import DEPARTMENT_ROLES, ROLES, Staff


@dataclass(frozen=True)
class Cover:
    """An absent A post whose work the actor, as that window's B post, takes over today (AB岗)."""

    staff_id: int
    name: str
    role: str
    department_code: str | None


@dataclass(frozen=True)
class Actor:
    """The authenticated person (or the system) an action is performed by.

    ``covering``: the absent A posts this person stands in for today; empty for everyone else.
    """

    id: int | None
    username: str
    name: str
    role: str
    department_code: str | None = None
    covering: tuple[Cover, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name}({self.username})"

    def cover_for(self, staff_id: int | None) -> Cover | None:
        """The cover under which this actor holds ``staff_id``'s work today, if any."""
        return next((cover for cover in self.covering if cover.staff_id == staff_id), None)


SYSTEM = Actor(id=None, username="system", name="系统", role="system")


def actor_for(staff: Staff) -> Actor:
    if not staff.active:
        raise Forbidden(f"account {staff.username} is disabled", field="username")
    return Actor(staff.id, staff.username, staff.name, staff.role, staff.department_code)


def get_actor(session: Session, username: str) -> Actor:
    staff = session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise NotFound(f"no staff member '{username}'", field="username")
    return actor_for(staff)


def create_staff(session: Session, *, username: str, name: str, role: str, department_code: str | None,
                 now: datetime) -> Staff:
    if not isinstance(username, str) or not username.isascii() or not 3 <= len(username) <= 50 \
            or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("username must be 3-50 letters, digits, '_' or '.'", field="username")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
        raise InvalidInput("name must be 1-50 characters", field="name")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    if role in DEPARTMENT_ROLES and not department_code:
        raise InvalidInput(f"a {role} belongs to a department", field="department_code")
    if role not in DEPARTMENT_ROLES and department_code:
        raise InvalidInput(f"a {role} does not belong to a department", field="department_code")
    if department_code and session.get(Department, department_code) is None:
        raise NotFound(f"no department '{department_code}'", field="department_code")
    if session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise Conflict(f"username '{username}' is taken", field="username")
    staff = Staff(username=username, name=name.strip(), role=role, department_code=department_code, active=True,
                  created_at=now)
    session.add(staff)
    session.flush()
    return staff
