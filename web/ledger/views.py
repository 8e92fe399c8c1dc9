"""The scoring ledger's page: supervisors see everyone's entries and scores, staff their own."""

from datetime import date

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import OneWindowError
from engine.staff.models import ADMIN, SUPERVISOR
from web.access import case_engine, current_actor, require

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
EVERYONE = ("clerk", "approver", "chief", "supervisor", "admin")


def _period() -> str:
    return request.values.get("period") or case_engine().clock.today().strftime("%Y-%m")


@bp.route("/")
@require(*EVERYONE)
def page():
    return _render(_period())


def _render(period: str, refusal: OneWindowError | None = None):
    actor, ledger = current_actor(), case_engine().ledger
    supervising = actor.role in (SUPERVISOR, ADMIN)
    entries = ledger.entries(actor, period)
    sheet = ledger.scores(period)
    rows = sheet.rows if supervising else [row for row in sheet.rows if row.staff_id == actor.id]
    rules = {rule.code: rule for rule in ledger.rules()}
    return render_template("ledger/page.html", period=period, entries=entries, sheet=sheet, rows=rows, rules=rules,
                           supervising=supervising, today=case_engine().clock.today(),
                           refusal=refusal), refusal.http_status if refusal else 200


def _back(message: str):
    flash(message)
    return redirect(url_for("ledger.page", period=_period()))


def _entry_id() -> int | None:
    value = request.form.get("entry_id", "")
    return int(value) if value.isdigit() else None


@bp.route("/record", methods=["POST"])
@require(SUPERVISOR, ADMIN)
def record():
    form = request.form
    try:
        occurred_on = date.fromisoformat(form.get("occurred_on", ""))
    except ValueError:
        occurred_on = form.get("occurred_on")  # the engine names the field
    quantity = form.get("quantity", "1")
    entry = case_engine().ledger.record(
        current_actor(), staff_id=int(form["staff_id"]) if form.get("staff_id", "").isdigit() else form.get("staff_id"),
        rule_code=form.get("rule_code"), occurred_on=occurred_on, evidence=form.get("evidence"),
        quantity=int(quantity) if quantity.isdigit() else quantity)
    return _back(_("已记录：%(rule)s %(points)s 分", rule=entry.rule_code, points=entry.points))


@bp.route("/appeal", methods=["POST"])
@require(*EVERYONE)
def appeal():
    case_engine().ledger.appeal(current_actor(), _entry_id(), request.form.get("reason"))
    return _back(_("复核申请已提交"))


@bp.route("/decide", methods=["POST"])
@require(SUPERVISOR, ADMIN)
def decide():
    case_engine().ledger.decide_appeal(current_actor(), _entry_id(), request.form.get("decision"),
                                       request.form.get("reason"))
    return _back(_("复核已处理"))


@bp.route("/export")
@require(SUPERVISOR, ADMIN)
def export():
    period = _period()
    data = case_engine().ledger.export(current_actor(), period, center_name=current_app.config["CENTER_NAME"])
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=ledger-{period}.xlsx"})


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    """The page again with the refusal (a bad period falls back to this month), nothing written."""
    period = case_engine().clock.today().strftime("%Y-%m") if error.field == "period" else _period()
    return _render(period, error)
