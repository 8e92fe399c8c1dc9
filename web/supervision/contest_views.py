"""The contest page (申诉复核): a chief representative contests his department's bad ratings still to be
verified; a supervisor upholds or rejects each contest. The same functions as the supervision API."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from engine.errors import OneWindowError
from engine.permissions import supervises
from engine.roles import CHIEF, SUPERVISING
from engine.supervision.models import NOT_REAL_KINDS
from web import errors
from web.access import current_actor, require
from web.supervision import service

bp = Blueprint("contests", __name__, url_prefix="/supervision/contests")
LABELS = {"mistaken": "误评", "malicious": "恶意差评", "filed": "待复核", "upheld": "申诉成立", "rejected": "申诉不成立"}


@bp.context_processor
def helpers():
    return {"label": lambda key: _(LABELS[key]) if key in LABELS else key,
            "local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "supervising": bool(current_actor()) and supervises(current_actor())}


@bp.route("/")
@require(*SUPERVISING, CHIEF)
def page():
    return _page()


def _page(refusal: OneWindowError | None = None):
    actor = current_actor()
    contestable = [] if supervises(actor) else service.contestable(actor)
    return render_template("supervision/contests.html", contests=service.contests(actor, "all"),
                           contestable=contestable, kinds=NOT_REAL_KINDS, refusal=refusal), \
        refusal.http_status if refusal else 200


@bp.route("/<number>", methods=["POST"])
@require(CHIEF)
def file(number):
    service.file_contest(current_actor(), number, service.form_fields(request.form, ("kind", "reasons")))
    flash(_("办件 %(number)s 的差评申诉已提交", number=number))
    return redirect(url_for("contests.page"), 303)


@bp.route("/<number>/decision", methods=["POST"])
@require(*SUPERVISING)
def decide(number):
    row = service.decide_contest(current_actor(), number, service.form_fields(request.form, ("verdict", "reason")))
    flash(_("办件 %(number)s 的申诉已复核：%(verdict)s", number=number, verdict=_(LABELS[row["state"]])))
    return redirect(url_for("contests.page"), 303)


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    try:
        return _page(error)
    except OneWindowError:
        return errors.handle_refusal(error)
