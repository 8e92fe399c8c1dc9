"""Supervision pages (督查): the supervisor verifies bad ratings and sees satisfaction rates,
keeps complaints (register, reply, verify, overdue replies); a department's chief
representative and approvers close their rectifications with feedback."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from engine.errors import OneWindowError
from engine.roles import DEPARTMENT_ROLES, SUPERVISING
from engine.supervision.models import CHANNELS, NOT_REAL_KINDS
from engine.supervision.service import COMPLAINT_STATES, RECTIFICATION_STATES
from web import errors
from web.access import current_actor, require
from web.supervision import service

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
LABELS = {
    "pending": "待核实", "real": "属实", "not_real": "不属实", "not_required": "无需核实",
    "mistaken": "误评", "malicious": "恶意差评",
    "open": "整改中", "closed": "已整改", "overdue": "已超期", "all": "全部",
    "verified": "查证属实", "not_verified": "查证不实", "unverified": "待核实",
}
COMPLAINT_FILTERS = {"open": "待答复", "overdue": "答复超期", "unverified": "待核实", "all": "全部"}


@bp.context_processor
def helpers():
    return {"label": lambda key: _(LABELS[key]) if key in LABELS else key,
            "local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "supervising": service.supervising(current_actor()) if current_actor() else False}


@bp.route("/")
@require(*SUPERVISING, *DEPARTMENT_ROLES)
def home():
    target = "supervision.ratings" if service.supervising(current_actor()) else "supervision.rectifications"
    return redirect(url_for(target))


@bp.route("/ratings")
@require(*SUPERVISING)
def ratings():
    return _ratings_page(service.period_from(request.args))


def _ratings_page(period: str, refusal: OneWindowError | None = None):
    actor = current_actor()
    pending = service.ratings(actor, "pending")
    verified = [line for line in service.ratings(actor, "all", period) if line.rating.verification != "pending"]
    return render_template(
        "supervision/ratings.html", period=period, sheet=service.satisfaction(actor, period), pending=pending,
        verified=verified, handlers=service.handlers([line.case_number for line in pending]),
        not_real_kinds=NOT_REAL_KINDS, refusal=refusal), refusal.http_status if refusal else 200


@bp.route("/ratings/<number>/verify", methods=["POST"])
@require(*SUPERVISING)
def verify_rating(number):
    line = service.verify_rating(current_actor(), number, service.form_fields(request.form, service.RATING_FIELDS))
    flash(_("办件 %(number)s 的差评已核实：%(verdict)s", number=line.case_number,
            verdict=_(LABELS[line.rating.verification])))
    return redirect(url_for("supervision.ratings"))


@bp.route("/rectifications")
@require(*SUPERVISING, *DEPARTMENT_ROLES)
def rectifications():
    state = request.args.get("state") or "open"
    return _rectifications_page(state if state in RECTIFICATION_STATES else "open")


def _rectifications_page(state: str, refusal: OneWindowError | None = None):
    return render_template("supervision/rectifications.html", state=state, states=RECTIFICATION_STATES,
                           lines=service.rectifications(current_actor(), state),
                           refusal=refusal), refusal.http_status if refusal else 200


@bp.route("/rectifications/<number>/close", methods=["POST"])
@require(*SUPERVISING, *DEPARTMENT_ROLES)
def close_rectification(number):
    line = service.close_rectification(current_actor(), number, request.form.get("feedback"))
    flash(_("办件 %(number)s 的整改已办结并反馈", number=line.case_number))
    return redirect(url_for("supervision.rectifications"))


@bp.route("/complaints")
@require(*SUPERVISING)
def complaints():
    state = request.args.get("state") or "open"
    return _complaints_page(state if state in COMPLAINT_STATES else "open")


def _complaints_page(state: str, refusal: OneWindowError | None = None, values=None):
    actor = current_actor()
    overdue_count, _overdue = service.overdue_complaints(actor)
    return render_template("supervision/complaints.html", state=state, filters=COMPLAINT_FILTERS,
                           lines=service.complaints(actor, state), overdue_count=overdue_count,
                           choices=service.complaint_choices(), channels=CHANNELS, values=values or {},
                           refusal=refusal), refusal.http_status if refusal else 200


@bp.route("/complaints", methods=["POST"])
@require(*SUPERVISING)
def register_complaint():
    line = service.register_complaint(current_actor(), service.form_fields(request.form, service.COMPLAINT_FIELDS))
    flash(_("投诉已登记，编号 %(number)s，应于 %(due)s 前答复", number=line.complaint.number,
            due=line.complaint.reply_due_on.isoformat()))
    return redirect(url_for("supervision.complaint", number=line.complaint.number))


@bp.route("/complaints/<number>")
@require(*SUPERVISING)
def complaint(number):
    return _complaint_page(number)


def _complaint_page(number, refusal: OneWindowError | None = None):
    return render_template("supervision/complaint.html", line=service.complaint(current_actor(), number),
                           refusal=refusal), refusal.http_status if refusal else 200


@bp.route("/complaints/<number>/reply", methods=["POST"])
@require(*SUPERVISING)
def reply_complaint(number):
    service.reply_complaint(current_actor(), number, request.form.get("reply"))
    flash(_("答复已记录"))
    return redirect(url_for("supervision.complaint", number=number))


@bp.route("/complaints/<number>/verify", methods=["POST"])
@require(*SUPERVISING)
def verify_complaint(number):
    service.verify_complaint(current_actor(), number, service.form_fields(request.form, ("verdict", "reason")))
    flash(_("核实结论已记录"))
    return redirect(url_for("supervision.complaint", number=number))


# The page a refusal is shown on, with the refusal and nothing written (filters fall back to their defaults).
REFUSAL_PAGES = {
    "supervision.ratings": lambda refusal: _ratings_page(service.this_month(), refusal),
    "supervision.verify_rating": lambda refusal: _ratings_page(service.this_month(), refusal),
    "supervision.rectifications": lambda refusal: _rectifications_page("open", refusal),
    "supervision.close_rectification": lambda refusal: _rectifications_page("open", refusal),
    "supervision.register_complaint": lambda refusal: _complaints_page("open", refusal, request.form),
    "supervision.complaint": lambda refusal: _complaint_page(request.view_args["number"], refusal),
    "supervision.reply_complaint": lambda refusal: _complaint_page(request.view_args["number"], refusal),
    "supervision.verify_complaint": lambda refusal: _complaint_page(request.view_args["number"], refusal),
}


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    page = REFUSAL_PAGES.get(request.endpoint)
    try:
        if page is not None:
            return page(error)
    except OneWindowError:
        pass  # the page itself cannot be shown (e.g. no such complaint): the plain refusal page
    return errors.handle_refusal(error)
