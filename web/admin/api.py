"""The administrator's API (系统管理员 only): staff accounts, never deleted, and their passwords."""

from engine.errors import InvalidInput
from engine.roles import ADMIN
from web.access import current_actor, require
from web.admin import schemas, service
from web.api import api_blueprint
from web.posts.schemas import WindowRow

blp = api_blueprint("admin_api", __name__, "/admin", "Staff accounts and the staff file (administrator only)")


def _with_password(result):
    view, one_time = result
    return {"staff": view, "one_time_password": one_time, "expires_at": view.password_expires_at}


@blp.route("/staff")
@require(ADMIN)
@blp.response(200, schemas.StaffRow(many=True))
def staff_list():
    """Every staff member, active first; deactivated ones stay listed."""
    return service.staff_list(current_actor())


@blp.route("/staff", methods=["POST"])
@require(ADMIN)
@blp.arguments(schemas.NewStaff)
@blp.response(201, schemas.StaffWithPassword)
def create_staff(fields):
    """Create a staff member; the answer carries a one-time password (72 hours), to be replaced at first
    sign-in. Refused (422, field named) for a taken username, roles that may not be combined, a
    department missing or not needed."""
    return _with_password(service.create_staff(current_actor(), fields))


@blp.route("/staff/<username>")
@require(ADMIN)
@blp.response(200, schemas.StaffRow)
def staff(username):
    """A staff member with his staff file and authorisations."""
    return service.staff(current_actor(), username)


@blp.route("/staff/<username>", methods=["PATCH"])
@require(ADMIN)
@blp.arguments(schemas.StaffChanges)
@blp.response(200, schemas.StaffRow)
def update_staff(fields, username):
    """Change the name, roles, department or staff file; a change of roles or department returns the
    person's claimed tasks to their queues."""
    if not fields:
        raise InvalidInput("请至少填写一项要修改的内容 (send at least one field to change)", field="form")
    return service.update_staff(current_actor(), username, fields)


@blp.route("/staff/<username>/deactivate", methods=["POST"])
@require(ADMIN)
@blp.response(200, schemas.StaffRow)
def deactivate(username):
    """Deactivate: no sign-in, sessions and token end, claimed tasks return to their queues, history stays."""
    return service.deactivate(current_actor(), username)


@blp.route("/staff/<username>/password-reset", methods=["POST"])
@require(ADMIN)
@blp.response(200, schemas.StaffWithPassword)
def reset_password(username):
    """A new one-time password; the person must choose his own at the next sign-in."""
    return _with_password(service.reset_password(current_actor(), username))


@blp.route("/staff/<username>/authorisations", methods=["POST"])
@require(ADMIN)
@blp.arguments(schemas.Authorisation)
@blp.response(201, schemas.StaffRow)
def record_authorisation(fields, username):
    """Record a chief representative's authorisation (授权书): scope, from and to, issued by."""
    return service.record_authorisation(current_actor(), username, fields)


@blp.route("/windows")
@require(ADMIN)
@blp.response(200, WindowRow(many=True))
def windows():
    """Every window with its posts."""
    return service.windows(current_actor())


@blp.route("/windows", methods=["POST"])
@require(ADMIN)
@blp.arguments(schemas.WindowPosts)
@blp.response(200, WindowRow)
def save_window(fields):
    """Create a window or reassign its posts (A, B and an optional second B, all of A's role and
    department); the A/B absences keep working."""
    return service.save_window(current_actor(), fields)
