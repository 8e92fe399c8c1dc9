"""Accounts and the staff file, as ``CaseEngine.staff_admin``: the administrator creates, edits and
deactivates staff (never deletes them), resets passwords and records a chief representative's
authorisation (授权书); everyone changes their own password. Each action is one transaction with
its audit entry; a refusal changes nothing and names its field.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.catalogue.models import Department
from engine.context import EngineContext
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.permissions import may_administer
from engine.roles import ADMIN, ALLOWED_COMBINATIONS, CHIEF, DEPARTMENT_ROLES, PRECEDENCE, ROLES
from engine.staff import passwords
from engine.staff.models import ChiefAuthorisation, Staff
from engine.staff.service import create_staff as insert_staff
from engine.staff.tokens import revoke_all_tokens
from engine.tasks import service as tasks
from engine.tasks.models import OPEN, HumanTask
from engine.validation import optional_text, text

# The staff file's free-text fields with their labels (the label names the field in a refusal).
FILE_FIELDS = {"seconding_unit": ("派出单位", 100), "title": ("职务", 50), "phone": ("电话", 20)}
DATE_FIELDS = {"joined_on": "进驻日期", "leaves_on": "调离日期"}


def check_roles(roles, department_code) -> tuple[str, tuple[str, ...]]:
    """(primary role, further roles) of an allowed combination, or the refusal naming ``roles``."""
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list | tuple) or not roles or not all(isinstance(role, str) for role in roles):
        raise InvalidInput("请至少选择一个角色 (choose at least one role)", field="roles")
    held = set(roles)
    unknown = sorted(held - set(ROLES))
    if unknown:
        raise InvalidInput(f"没有角色 {'、'.join(unknown)}，角色须为 {'、'.join(ROLES)} 之一 "
                           f"(no role {', '.join(unknown)}; roles are {', '.join(ROLES)})", field="roles")
    if len(held) > 1 and not any(held <= allowed for allowed in ALLOWED_COMBINATIONS):
        raise InvalidInput(f"角色 {'+'.join(sorted(held))} 不能兼任，只允许后台审批兼首席代表、督查兼中心主任 "
                           f"(roles {'+'.join(sorted(held))} may not be held together; "
                           "allowed: approver+chief, supervisor+director)", field="roles")
    if held & set(DEPARTMENT_ROLES) and not department_code:
        raise InvalidInput("后台审批人员和首席代表须属于一个部门，请选择部门 (approvers and chief "
                           "representatives belong to a department)", field="department")
    if not held & set(DEPARTMENT_ROLES) and department_code:
        raise InvalidInput("该角色不属于任何部门，请不要选择部门 (these roles belong to no department)",
                           field="department")
    primary = next(role for role in PRECEDENCE if role in held)
    return primary, tuple(role for role in PRECEDENCE if role in held and role != primary)


def _day(value, field: str, label: str) -> date | None:
    """A date typed as YYYY-MM-DD (blank: none), or the refusal naming the field by its label."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"{label}须为日期（年-月-日） ({field} must be a date, YYYY-MM-DD)", field=field)


def _staff(session: Session, username, *, lock: bool = False) -> Staff:
    staff = None
    if isinstance(username, str) and 0 < len(username) <= 50:
        query = select(Staff).where(Staff.username == username)
        staff = session.scalar(query.with_for_update() if lock else query)
    if staff is None:
        raise NotFound(f"未找到用户名为 '{username}' 的人员 (no staff member '{username}')", field="username")
    return staff


def _end_sessions(session: Session, staff: Staff, now: datetime, reason: str) -> None:
    """Every session cookie and every API token of ``staff`` (its row locked by the caller) stop working."""
    staff.session_epoch = staff.session_epoch + 1
    revoke_all_tokens(session, staff.id, now, reason=reason)


def _release_claims(session: Session, staff: Staff) -> list[str]:
    """Put the tasks ``staff`` holds back in their queues; returns their ids."""
    rows = list(session.scalars(select(HumanTask).where(HumanTask.assignee_id == staff.id, HumanTask.state == OPEN)
                                .with_for_update()))
    for row in rows:
        tasks.unclaim(row)
    return [row.id for row in rows]


@dataclass(frozen=True)
class StaffView:
    """A staff member as the staff pages and the API show them."""

    staff: Staff
    department_name: str | None
    authorisations: list[ChiefAuthorisation]

    def __getattr__(self, name):
        return getattr(self.staff, name)


class StaffAdmin:
    def __init__(self, context: EngineContext):
        self.context = context

    # -- reading ----------------------------------------------------------------------

    def list_staff(self, actor: Actor, *, include_inactive: bool = True) -> list[StaffView]:
        may_administer(actor).check()
        with self.context.session() as session:
            query = select(Staff).order_by(Staff.active.desc(), Staff.department_code.nulls_first(), Staff.id)
            if not include_inactive:
                query = query.where(Staff.active.is_(True))
            return [self._view(session, staff, with_authorisations=False) for staff in session.scalars(query)]

    def get_staff(self, actor: Actor, username) -> StaffView:
        may_administer(actor).check()
        with self.context.session() as session:
            return self._view(session, _staff(session, username))

    def _view(self, session: Session, staff: Staff, *, with_authorisations: bool = True) -> StaffView:
        department = session.get(Department, staff.department_code) if staff.department_code else None
        authorisations = list(session.scalars(select(ChiefAuthorisation).where(
            ChiefAuthorisation.staff_id == staff.id).order_by(ChiefAuthorisation.valid_from.desc()))) \
            if with_authorisations else []
        session.expunge(staff)
        return StaffView(staff, department.name if department else None, authorisations)

    def password_change_due(self, staff_id: int, *, production: bool) -> bool:
        with self.context.session() as session:
            staff = session.get(Staff, staff_id)
            return staff is not None and passwords.change_due(staff, production=production)

    def has_administrator(self) -> bool:
        with self.context.session() as session:
            return session.scalar(select(Staff.id).where(Staff.role == ADMIN, Staff.active.is_(True)).limit(1)) \
                is not None

    # -- changing ---------------------------------------------------------------------

    def create_staff(self, actor: Actor, *, username, name, roles, department=None, **file) -> tuple[StaffView, str]:
        """A new account with a one-time password (returned once, never stored in clear)."""
        may_administer(actor).check()
        now = self.context.clock.now()
        with self.context.transaction() as session:
            staff = self._insert(session, username=username, name=name, roles=roles, department=department, now=now)
            self._apply_file(staff, file, now)
            one_time = passwords.issue_one_time(staff, now)
            audit.record(session, actor=actor, action="staff_create", at=now, detail=self._detail(staff))
            staff_id = staff.id
        with self.context.session() as session:
            return self._view(session, session.get(Staff, staff_id)), one_time

    def create_administrator(self, *, username, name, password) -> Staff:
        """The first (or a further) administrator, from the command line: the password is the person's
        own, typed at a terminal, so it is checked against the policy and needs no change."""
        now = self.context.clock.now()
        with self.context.transaction() as session:
            staff = self._insert(session, username=username, name=name, roles=[ADMIN], department=None, now=now)
            passwords.check_strength(password, username=staff.username, name=staff.name, field="password")
            passwords.set_password(staff, password, now=now, chosen=True)
            audit.record(session, actor=SYSTEM, action="admin_create", at=now, detail=self._detail(staff))
            return staff

    def _insert(self, session: Session, *, username, name, roles, department, now: datetime) -> Staff:
        primary, extra = check_roles(roles, department)
        staff = insert_staff(session, username=username, name=name, role=primary, department_code=department or None,
                             now=now)
        staff.extra_roles = " ".join(extra)
        return staff

    def update_staff(self, actor: Actor, username, **changes) -> StaffView:
        """Edit the name, roles, department and staff file; a change of roles or department puts
        the person's claimed tasks back in their queues (they may no longer hold them)."""
        may_administer(actor).check()
        now = self.context.clock.now()
        with self.context.transaction() as session:
            staff = _staff(session, username, lock=True)
            if not staff.active:
                raise Conflict(f"账户 {staff.username} 已停用 ({staff.username} is deactivated)", field="username")
            released = []
            if "name" in changes:
                staff.name = text(changes.pop("name"), "name", max_length=50)
            if "roles" in changes or "department" in changes:
                roles = changes.pop("roles", list(staff.roles))
                department = changes.pop("department", staff.department_code) or None
                if department and session.get(Department, department) is None:
                    raise NotFound(f"未找到部门 '{department}' (no department '{department}')",
                                   field="department")
                primary, extra = check_roles(roles, department)
                if (primary, extra, department) != (staff.role, tuple(staff.extra_roles.split()),
                                                    staff.department_code):
                    if staff.id == actor.id and primary != ADMIN:
                        raise Forbidden("不能取消自己的系统管理员角色 (you cannot drop your own "
                                        "administrator role)", field="roles")
                    released = _release_claims(session, staff)
                    staff.role, staff.extra_roles, staff.department_code = primary, " ".join(extra), department
            self._apply_file(staff, changes, now)
            audit.record(session, actor=actor, action="staff_update", at=now,
                         detail={**self._detail(staff), "released_tasks": released})
        return self.get_staff(actor, username)

    def _apply_file(self, staff: Staff, file: dict, now: datetime) -> None:
        unknown = sorted(set(file) - set(FILE_FIELDS) - set(DATE_FIELDS))
        if unknown:
            raise InvalidInput(f"{unknown[0]} 不是人员信息的字段 ({unknown[0]} is not a field of the staff file)",
                               field=unknown[0])
        for field, (label, length) in FILE_FIELDS.items():
            if field in file:
                value = optional_text(file[field], field, max_length=length)
                if field == "phone" and value and not value.replace("-", "").isdigit():
                    raise InvalidInput(f"{label}只能含数字和 '-' ({field}: digits and '-' only)", field=field)
                setattr(staff, field, value)
        for field in DATE_FIELDS:
            if field in file:
                value = _day(file[field], field, DATE_FIELDS[field])
                if field == "leaves_on" and value != staff.leaves_on:
                    # The day the leaving was announced is the day it was entered (seed 004: 15 working days ahead).
                    staff.leave_announced_on = value and self.context.clock.today()
                setattr(staff, field, value)
        if staff.joined_on and staff.leaves_on and staff.leaves_on < staff.joined_on:
            raise InvalidInput("调离日期早于进驻日期 (leaves_on is before joined_on)", field="leaves_on")

    def deactivate(self, actor: Actor, username) -> StaffView:
        """The account can no longer sign in, its sessions and token stop, its claimed tasks return
        to their queues; the row and its history stay."""
        may_administer(actor).check()
        now = self.context.clock.now()
        with self.context.transaction() as session:
            staff = _staff(session, username, lock=True)
            if staff.id == actor.id:
                raise Forbidden("不能停用自己的账户 (you cannot deactivate yourself)",
                                field="username")
            if not staff.active:
                raise Conflict(f"账户 {staff.username} 已停用 ({staff.username} is already deactivated)",
                               field="username")
            staff.active, staff.deactivated_at = False, now
            _end_sessions(session, staff, now, "deactivated")
            released = _release_claims(session, staff)
            audit.record(session, actor=actor, action="staff_deactivate", at=now,
                         detail={"username": staff.username, "released_tasks": released})
        return self.get_staff(actor, username)

    def reset_password(self, actor: Actor, username) -> tuple[StaffView, str]:
        """A new one-time password; the person must choose his own at the next sign-in."""
        may_administer(actor).check()
        now = self.context.clock.now()
        with self.context.transaction() as session:
            staff = _staff(session, username, lock=True)
            if not staff.active:
                raise Conflict(f"账户 {staff.username} 已停用 ({staff.username} is deactivated)", field="username")
            one_time = passwords.issue_one_time(staff, now)
            _end_sessions(session, staff, now, "password")
            audit.record(session, actor=actor, action="password_reset", at=now, detail={"username": staff.username})
        return self.get_staff(actor, username), one_time

    def change_password(self, actor: Actor, old_password, new_password) -> int:
        """The person's own change (the old password required); ends every session and the token.
        Returns the new session epoch, so the session that made the change can carry on."""
        now = self.context.clock.now()
        with self.context.transaction() as session:
            staff = session.get(Staff, actor.id, with_for_update=True)
            if staff is None or not staff.active:
                raise Forbidden("账户已停用 (the account is deactivated)", field="username")
            if not isinstance(old_password, str) or not passwords.verify(staff, old_password):
                raise InvalidInput("原密码不正确 (the old password is wrong)", field="old_password")
            passwords.check_strength(new_password, username=staff.username, name=staff.name)
            if new_password == old_password:
                raise InvalidInput("新密码不能与原密码相同 (the new password must differ from the old one)",
                                   field="new_password")
            passwords.set_password(staff, new_password, now=now, chosen=True)
            _end_sessions(session, staff, now, "password")
            audit.record(session, actor=actor, action="password_change", at=now)
            return staff.session_epoch

    def record_authorisation(self, actor: Actor, username, *, scope, valid_from, valid_to, issued_by) -> StaffView:
        """A chief representative's authorisation (授权书) as the department issued it."""
        may_administer(actor).check()
        now = self.context.clock.now()
        with self.context.transaction() as session:
            staff = _staff(session, username, lock=True)
            if CHIEF not in staff.roles:
                raise InvalidInput(f"{staff.name} 不是首席代表 ({staff.username} is not a chief representative)",
                                   field="username")
            first, last = _authorisation_day(valid_from, "valid_from"), _authorisation_day(valid_to, "valid_to")
            if last < first:
                raise InvalidInput("授权截止日期早于起始日期 (valid_to is before valid_from)", field="valid_to")
            row = ChiefAuthorisation(staff_id=staff.id, scope=text(scope, "scope", max_length=500),
                                     valid_from=first, valid_to=last,
                                     issued_by=text(issued_by, "issued_by", max_length=100),
                                     recorded_by_id=actor.id, recorded_at=now)
            session.add(row)
            session.flush()
            audit.record(session, actor=actor, action="chief_authorisation", at=now, detail={
                "username": staff.username, "authorisation": row.id, "scope": row.scope,
                "valid_from": first.isoformat(), "valid_to": last.isoformat(), "issued_by": row.issued_by})
        return self.get_staff(actor, username)

    @staticmethod
    def _detail(staff: Staff) -> dict:
        return {"username": staff.username, "name": staff.name, "roles": list(staff.roles),
                "department_code": staff.department_code, "seconding_unit": staff.seconding_unit,
                "title": staff.title, "joined_on": staff.joined_on and staff.joined_on.isoformat(),
                "leaves_on": staff.leaves_on and staff.leaves_on.isoformat()}


def _authorisation_day(value, field: str) -> date:
    label = {"valid_from": "授权起始日期", "valid_to": "授权截止日期"}[field]
    day = _day(value, field, label)
    if day is None:
        raise InvalidInput(f"请填写{label} ({field} is required)", field=field)
    return day
