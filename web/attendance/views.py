"""Attendance and leave pages: my attendance (sign in and out, my leave, the request form), and for the
center the day's sheet with the punch clock's import, leave to approve, and the weekly bulletin."""

from datetime import date, timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.attendance.service import MAX_IMPORT_ROWS
from engine.errors import InvalidInput, OneWindowError
from engine.leave.service import KINDS
from engine.permissions import keeps_attendance, may_manage_attendance
from engine.roles import SUPERVISING
from web import errors, refusals
from web.access import case_engine, current_actor, require
from web.attendance import service

bp = Blueprint("attendance", __name__, url_prefix="/attendance")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATE_LABELS = {"requested": "待部门审批", "department_approved": "待中心审批", "approved": "已批准",
                "returned": "已销假", "refused": "不予批准", "withdrawn": "已撤回"}
STAGE_LABELS = {"department": "部门", "center": "中心"}
# A leave's first day from the morning or the afternoon, its last day until noon or the day's end.
START_HALVES = {"am": "上午起", "pm": "下午起"}
END_HALVES = {"pm": "全天", "am": "至中午"}
FINDING_LABELS = {"late": "迟到", "early": "早退", "absent": "旷工"}
HALF_LABELS = {"morning": "上午", "afternoon": "下午"}
# What my page shows: this week and last.
MY_DAYS = 14


@bp.context_processor
def helpers():
    return {"state_label": lambda state: _(STATE_LABELS.get(state, state)), "kinds": KINDS,
            "stage_label": lambda stage: _(STAGE_LABELS.get(stage, stage)),
            "half_label": lambda half: _(HALF_LABELS[half]),
            "start_halves": START_HALVES, "end_halves": END_HALVES,
            "finding_label": lambda finding: _("%(half)s%(kind)s", half=_(HALF_LABELS[finding.half]),
                                               kind=_(FINDING_LABELS[finding.kind]))
            + (_("%(minutes)s 分钟", minutes=finding.minutes) if finding.minutes is not None else ""),
            "clock": lambda value: value.strftime("%H:%M:%S") if value else "—",
            "manages_attendance": current_actor() is not None and may_manage_attendance(current_actor()).allowed}


def _today() -> date:
    return case_engine().clock.today()


def _day_argument(name: str) -> date:
    value = request.args.get(name)
    if not value:
        return _today() - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{value}' 不是日期 ('{value}' is not a date, YYYY-MM-DD)", field=name) from None


@bp.route("/")
@require()
def mine():
    actor, today = current_actor(), _today()
    kept = keeps_attendance(actor).allowed
    days = service.attendance().records(actor, today - timedelta(days=MY_DAYS - 1), today, actor.username) \
        if kept else []
    return render_template("attendance/mine.html", kept=kept, days=list(reversed(days)),
                           today_line=service.attendance().today(actor) if kept else None,
                           leaves=service.leave().mine(actor) if kept else [], today=today)


@bp.route("/sign-in", methods=["POST"])
@require()
def sign_in():
    line = service.attendance().sign_in(current_actor())
    flash(_("已签到：%(time)s", time=line.signed_in.strftime("%H:%M")))
    return redirect(url_for("attendance.mine"), 303)


@bp.route("/sign-out", methods=["POST"])
@require()
def sign_out():
    line = service.attendance().sign_out(current_actor())
    flash(_("已签退：%(time)s", time=line.signed_out.strftime("%H:%M")))
    return redirect(url_for("attendance.mine"), 303)


@bp.route("/leave", methods=["POST"])
@require()
def request_leave():
    line = service.leave().request(current_actor(), **service.leave_form(request.form))
    flash(_("请假申请已提交，待部门审批（%(first)s 至 %(last)s）", first=line.leave.starts_on.isoformat(),
            last=line.leave.ends_on.isoformat()))
    return redirect(url_for("attendance.mine"), 303)


@bp.route("/leave/<int:leave_id>/return", methods=["POST"])
@require()
def record_return(leave_id):
    line = service.leave().record_return(current_actor(), leave_id)
    flash(_("%(name)s 已销假", name=line.name))
    return redirect(request.form.get("next") == "approvals" and url_for("attendance.approvals")
                    or url_for("attendance.mine"), 303)


@bp.route("/leave/approvals")
@require()
def approvals():
    actor = current_actor()
    everything = service.leave().all(actor) if may_manage_attendance(actor).allowed else None
    return render_template("attendance/approvals.html", waiting=service.leave().to_approve(actor),
                           everything=everything)


@bp.route("/leave/<int:leave_id>/approve", methods=["POST"])
@require()
def approve(leave_id):
    line = service.leave().approve(current_actor(), leave_id)
    flash(_("已审批 %(name)s 的请假：%(state)s", name=line.name, state=_(STATE_LABELS[line.leave.state])))
    return redirect(url_for("attendance.approvals"), 303)


@bp.route("/leave/<int:leave_id>/refuse", methods=["POST"])
@require()
def refuse(leave_id):
    line = service.leave().refuse(current_actor(), leave_id, (request.form.get("reason") or "").strip() or None)
    flash(_("已不予批准 %(name)s 的请假", name=line.name))
    return redirect(url_for("attendance.approvals"), 303)


@bp.route("/leave/<int:leave_id>/withdraw", methods=["POST"])
@require()
def withdraw(leave_id):
    line = service.leave().withdraw(current_actor(), leave_id)
    flash(_("已撤回请假（%(first)s 至 %(last)s）", first=line.leave.starts_on.isoformat(),
            last=line.leave.ends_on.isoformat()))
    return redirect(url_for("attendance.mine"), 303)


@bp.route("/sheet")
@require(*SUPERVISING)
def sheet():
    day = _day_argument("day")
    return render_template("attendance/sheet.html", day=day, lines=service.attendance().sheet(current_actor(), day),
                           max_rows=MAX_IMPORT_ROWS, today=_today())


@bp.route("/import", methods=["POST"])
@require(*SUPERVISING)
def import_punches():
    count = service.attendance().import_punches(current_actor(), service.uploaded_bytes(request.files.get("file")))
    flash(_("已导入 %(count)s 条打卡记录", count=count))
    return redirect(url_for("attendance.sheet"), 303)


@bp.route("/compute", methods=["POST"])
@require(*SUPERVISING)
def compute():
    day = request.form.get("day", "")
    count = service.attendance().compute_day(day, current_actor())
    flash(_("%(day)s 的考勤已核算：%(count)s 项记入考核台账", day=day, count=count))
    return redirect(url_for("attendance.sheet", day=day), 303)


@bp.route("/bulletin")
@require(*SUPERVISING)
def bulletin():
    week = _day_argument("week")
    return render_template("attendance/bulletin.html",
                           bulletin=service.attendance().bulletin(current_actor(), week), week=week)


@bp.route("/bulletin.xlsx")
@require(*SUPERVISING)
def bulletin_xlsx():
    week = _day_argument("week")
    data = service.attendance().bulletin_xlsx(current_actor(), week, current_app.config["CENTER_NAME"])
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=attendance-{week.isoformat()}.xlsx"})


PAGES_AFTER_POST = {"attendance.sign_in": "attendance.mine", "attendance.sign_out": "attendance.mine",
                    "attendance.request_leave": "attendance.mine", "attendance.record_return": "attendance.mine",
                    "attendance.approve": "attendance.approvals", "attendance.refuse": "attendance.approvals",
                    "attendance.withdraw": "attendance.mine", "attendance.import_punches": "attendance.sheet",
                    "attendance.compute": "attendance.sheet"}


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    """A refused form: back to its page with the refusal said in the person's language; nothing was written."""
    page = PAGES_AFTER_POST.get(request.endpoint)
    if page is None:
        return errors.handle_refusal(error)
    flash(refusals.explain(error), "error")
    return redirect(url_for(page), 303)
