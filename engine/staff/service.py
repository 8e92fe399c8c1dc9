"""Staff records: creating them, and the Actor of a staff member."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalogue.models import Department
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.roles import DEPARTMENT_ROLES, ROLES
from engine.staff.models import Staff
from engine.validation import text


def actor_for(staff: Staff) -> Actor:
    if not staff.active:
        raise Forbidden(f"账户 {staff.username} 已停用 (account {staff.username} is disabled)", field="username")
    return Actor(staff.id, staff.username, staff.name, staff.role, staff.department_code, roles=staff.roles)


def get_actor(session: Session, username: str) -> Actor:
    staff = session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise NotFound(f"未找到人员 '{username}' (no staff member '{username}')", field="username")
    return actor_for(staff)


def create_staff(session: Session, *, username: str, name: str, role: str, department_code: str | None,
                 now: datetime) -> Staff:
    if not isinstance(username, str) or not username.isascii() or not 3 <= len(username) <= 50 \
            or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("用户名须为 3 至 50 位字母、数字、'_' 或 '.' (username must be 3-50 letters, digits, '_' or '.')",
                           field="username")
    name = text(name, "name", max_length=50)
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role",
                           details={"rule": "enum", "limit": list(ROLES)})
    if role in DEPARTMENT_ROLES and not department_code:
        raise InvalidInput(f"该岗位须属于一个部门 (a {role} belongs to a department)", field="department_code")
    if role not in DEPARTMENT_ROLES and department_code:
        raise InvalidInput(f"该岗位不属于任何部门 (a {role} does not belong to a department)", field="department_code")
    if department_code and session.get(Department, department_code) is None:
        raise NotFound(f"未找到部门 '{department_code}' (no department '{department_code}')", field="department_code")
    if session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise Conflict(f"用户名 '{username}' 已被占用 (username '{username}' is taken)", field="username")
    staff = Staff(username=username, name=name, role=role, department_code=department_code, active=True,
                  created_at=now)
    session.add(staff)
    session.flush()
    return staff


def name_known(session: Session, actor: Actor) -> None:
    """``actor``'s name (read with his sign-in this request) is one ``staff_names`` need not ask for:
    a claim's answer names its claimer, a registration's the clerk who registered it."""
    if actor.id is not None:
        session.info.setdefault("staff_names", {})[actor.id] = actor.name


def staff_names(session: Session, ids) -> dict[int, str]:
    """The names of staff ``ids`` (None skipped), each read once per session: a case's page names
    its registering clerk, the people of its trail and its steps' holders, mostly the same few."""
    known = session.info.setdefault("staff_names", {})
    wanted = {staff_id for staff_id in ids if staff_id is not None}
    missing = wanted - known.keys()
    if missing:
        known.update(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(missing))).all())
    return {staff_id: known[staff_id] for staff_id in wanted if staff_id in known}
