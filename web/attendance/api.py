"""Attendance and leave API (考勤, 请销假). Each person signs in and out for himself and asks for his
own leave (and withdraws it until the center approves); supervisors import the punch clock's file
and read everyone's attendance; the department and then the center approve leave, or refuse it
(the rules: engine/permissions.py)."""

from flask import request

from engine.permissions import supervises
from engine.roles import SUPERVISING
from web.access import current_actor, require
from web.api import api_blueprint
from web.attendance import schemas, service

blp = api_blueprint("attendance_api", __name__, "", "Attendance (考勤, 双签制) and leave (请销假, 双审批)")


@blp.route("/attendance/sign-in", methods=["POST"])
@require()
@blp.response(200, schemas.AttendanceDayRow)
def sign_in():
    """Sign in for today at the server's time (Beijing day); 409 when signed in already."""
    return service.attendance().sign_in(current_actor())


@blp.route("/attendance/sign-out", methods=["POST"])
@require()
@blp.response(200, schemas.AttendanceDayRow)
def sign_out():
    """Sign out at the server's time; the last sign-out of the day counts; 409 before signing in."""
    return service.attendance().sign_out(current_actor())


@blp.route("/attendance/import", methods=["POST"])
@require(*SUPERVISING)
@blp.response(201, schemas.AttendanceImported)
def import_punches():
    """The punch clock's CSV, as multipart ``file`` or the request body (text/csv): UTF-8, header
    ``username,date,time_in,time_out`` (YYYY-MM-DD, HH:MM, a blank time: not punched), at most 512 KiB
    and 5000 rows. Any bad row refuses the file (422, ``details``: ``row`` and ``column``)."""
    data = service.uploaded_bytes(request.files.get("file")) if request.files else request.get_data()
    return {"imported": service.attendance().import_punches(current_actor(), data)}


@blp.route("/attendance")
@require()
@blp.arguments(schemas.AttendanceQuery, location="query")
@blp.response(200, schemas.AttendanceDayRow(many=True))
def records(query):
    """Working days from ``from`` to ``to`` (at most 93 days): yours, a chief his department's, a
    supervisor anyone's (``staff``) or everyone's."""
    actor = current_actor()
    staff = query["staff"] or (None if supervises(actor) else actor.username)
    return service.attendance().records(actor, query["first"], query["last"], staff)


@blp.route("/leave")
@require()
@blp.arguments(schemas.LeaveQuery, location="query")
@blp.response(200, schemas.LeaveRow(many=True))
def leaves(query):
    """Your leave, those waiting for your approval, or (supervisors) every leave with overruns flagged."""
    return service.leaves(current_actor(), query["scope"])


@blp.route("/leave", methods=["POST"])
@require()
@blp.arguments(schemas.NewLeave)
@blp.response(201, schemas.LeaveRow)
def request_leave(fields):
    """Ask for leave naming who covers; the department approves, then the center."""
    return service.leave().request(current_actor(), **fields)


@blp.route("/leave/<int:leave_id>/approve", methods=["POST"])
@require()
@blp.response(200, schemas.LeaveRow)
def approve(leave_id):
    """Approve the stage the leave is at: the department's (its chief; the director for clerks and chiefs),
    then the center's (a supervisor or administrator, not the first approver). 403 for your own."""
    return service.leave().approve(current_actor(), leave_id)


@blp.route("/leave/<int:leave_id>/return", methods=["POST"])
@require()
@blp.response(200, schemas.LeaveRow)
def record_return(leave_id):
    """销假 today: the leave stops excusing absence and its AB absence ends (B's cover stops today)."""
    return service.leave().record_return(current_actor(), leave_id)


@blp.route("/leave/<int:leave_id>/refuse", methods=["POST"])
@require()
@blp.arguments(schemas.LeaveRefusal)
@blp.response(200, schemas.LeaveRow)
def refuse(fields, leave_id):
    """不予批准 with a ``reason``, at the stage the leave is at, by whoever may approve that stage; it ends there
    and excuses nothing."""
    return service.leave().refuse(current_actor(), leave_id, fields["reason"])


@blp.route("/leave/<int:leave_id>/withdraw", methods=["POST"])
@require()
@blp.response(200, schemas.LeaveRow)
def withdraw(leave_id):
    """撤回 your own leave before the center has approved it; it ends and excuses nothing."""
    return service.leave().withdraw(current_actor(), leave_id)
