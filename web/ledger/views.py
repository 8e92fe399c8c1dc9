"""The scoring ledger's page: supervisors see everyone's entries and scores (filtered by
staff, department and rule), staff their own, with the appeal (复核) form."""

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.catalogue.models import Department
from engine.errors import OneWindowError
from engine.roles import ROLES, SUPERVISING
from web.access import case_engine, current_actor, require
from web.ledger import service

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
EVERYONE = ROLES


@bp.route("/")
@require(*EVERYONE)
def page():
    return _render(service.filters_from_query(request.args))


def _render(filters: service.Filters, refusal: OneWindowError | None = None):
    actor, ledger = current_actor(), case_engine().ledger
    entries = service.entries(actor, filters)
    sheet, rows = service.scores(actor, filters)
    with case_engine().session() as session:
        departments = dict(session.execute(select(Department.code, Department.name).order_by(Department.code)).all())
    return render_template("ledger/page.html", filters=filters, entries=entries, sheet=sheet, rows=rows,
                           rules={rule.code: rule for rule in ledger.rules()}, departments=departments,
                           supervising=service.supervising(actor), today=case_engine().clock.today(),
                           refusal=refusal), refusal.http_status if refusal else 200


def _back(message: str):
    flash(message)
    return redirect(url_for("ledger.page", period=request.args.get("period") or service.this_month()))


def _whole_number(name: str):
    """A form field as an int when it is one; otherwise as typed, for the engine to name the field."""
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else value


@bp.route("/record", methods=["POST"])
@require(*SUPERVISING)
def record():
    form = request.form
    try:
        occurred_on = date.fromisoformat(form.get("occurred_on", ""))
    except ValueError:
        occurred_on = form.get("occurred_on")  # the engine names the field
    entry = service.record(current_actor(), {
        "staff_id": _whole_number("staff_id"), "rule_code": form.get("rule_code"), "occurred_on": occurred_on,
        "evidence": form.get("evidence"), "quantity": _whole_number("quantity")})
    return _back(_("已记录：%(rule)s %(points)s 分", rule=entry.rule_code, points=entry.points))


@bp.route("/appeal", methods=["POST"])
@require(*EVERYONE)
def appeal():
    service.appeal(current_actor(), _whole_number("entry_id"), request.form.get("reason"))
    return _back(_("复核申请已提交"))


@bp.route("/decide", methods=["POST"])
@require(*SUPERVISING)
def decide():
    service.decide(current_actor(), _whole_number("entry_id"), request.form.get("decision"),
                   request.form.get("reason"))
    return _back(_("复核已处理"))


@bp.route("/export")
@require(*SUPERVISING)
def export():
    name, data = service.export(current_actor(), request.args.get("period") or service.this_month())
    return Response(data, mimetype=service.XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/windows")
@require(*SUPERVISING)
def windows():
    sheet, rows = service.windows(current_actor(), request.args.get("period") or service.this_month())
    return render_template("ledger/windows.html", sheet=sheet, rows=rows, departments=_departments())


@bp.route("/departments")
@require(*SUPERVISING)
def departments():
    sheet, rows = service.departments(current_actor(), request.args.get("period") or service.this_month())
    rules = [rule for rule in service.rules() if rule.active and rule.scope == "department"]
    return render_template("ledger/departments.html", sheet=sheet, rows=rows, rules=rules,
                           today=case_engine().clock.today())


@bp.route("/departments/record", methods=["POST"])
@require(*SUPERVISING)
def record_department():
    form = request.form
    try:
        occurred_on = date.fromisoformat(form.get("occurred_on", ""))
    except ValueError:
        occurred_on = form.get("occurred_on")  # the engine names the field
    entry = service.record_department(current_actor(), form.get("department"), {
        "rule_code": form.get("rule_code"), "occurred_on": occurred_on, "evidence": form.get("evidence")})
    flash(_("已记录部门扣分：%(rule)s %(points)s 分", rule=entry.rule_code, points=entry.points))
    return redirect(url_for("ledger.departments", period=request.args.get("period") or service.this_month()), 303)


@bp.route("/departments/<code>/feedback")
@require(*SUPERVISING)
def feedback(code):
    report = service.feedback(current_actor(), request.args.get("period") or service.this_month(), code)
    return render_template("ledger/feedback.html", report=report)


@bp.route("/departments/<code>/feedback.xlsx")
@require(*SUPERVISING)
def feedback_export(code):
    name, data = service.feedback_export(current_actor(), request.args.get("period") or service.this_month(), code)
    return Response(data, mimetype=service.XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


def _departments() -> dict[str, str]:
    with case_engine().session() as session:
        return dict(session.execute(select(Department.code, Department.name).order_by(Department.code)).all())


def _unit_refusal(error: OneWindowError):
    """A window or department page refused: this month's page of its kind with the refusal."""
    actor, period = current_actor(), service.this_month()
    if request.endpoint == "ledger.windows":
        sheet, rows = service.windows(actor, period)
        page = render_template("ledger/windows.html", sheet=sheet, rows=rows, departments=_departments(),
                               refusal=error)
    else:
        sheet, rows = service.departments(actor, period)
        rules = [rule for rule in service.rules() if rule.active and rule.scope == "department"]
        page = render_template("ledger/departments.html", sheet=sheet, rows=rows, rules=rules,
                               today=case_engine().clock.today(), refusal=error)
    return page, error.http_status


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    """The page again with the refusal, nothing written; a bad filter falls back to this month, unfiltered."""
    if request.endpoint in ("ledger.windows", "ledger.departments", "ledger.record_department", "ledger.feedback",
                            "ledger.feedback_export"):
        return _unit_refusal(error)
    filters = service.Filters(period=service.this_month())
    if request.method == "POST" or error.field not in service.FILTER_FIELDS:
        try:
            filters = service.filters_from_query(request.args)
        except OneWindowError:
            pass  # the refusal shown is the action's; the filters fall back to this month
    return _render(filters, error)
