"""The A/B post page (AB岗): windows with their A and B staff, absences, and the supervisor's
form to record or cancel one."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from engine.errors import OneWindowError
from engine.posts.service import STINT_LIMIT, YEARLY_LIMIT
from engine.roles import SUPERVISING
from web import errors
from web.access import current_actor, require
from web.posts import service

bp = Blueprint("posts", __name__, url_prefix="/supervision/posts")
STATE_LABELS = {"upcoming": "未开始", "current": "代岗中", "ended": "已结束", "cancelled": "已取消"}


@bp.context_processor
def helpers():
    return {"state_label": lambda state: _(STATE_LABELS.get(state, state)),
            "local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "supervising": True, "stint_limit": STINT_LIMIT, "yearly_limit": YEARLY_LIMIT}


@bp.route("/")
@require(*SUPERVISING)
def page():
    return _page(request.args.get("state") if request.args.get("state") == "all" else "open")


def _page(state: str, refusal: OneWindowError | None = None, values=None):
    actor = current_actor()
    return render_template("supervision/posts.html", windows=service.windows(actor),
                           absences=service.absences(actor, state), state=state, values=values or {},
                           refusal=refusal), refusal.http_status if refusal else 200


@bp.route("/absences", methods=["POST"])
@require(*SUPERVISING)
def record_absence():
    line = service.record_absence(current_actor(), service.form_fields(request.form))
    flash(_("已登记 %(a)s 离岗 %(first)s 至 %(last)s（%(days)s 个工作日），由 %(b)s 代岗", a=line.a_name,
            first=line.absence.starts_on.isoformat(), last=line.absence.ends_on.isoformat(),
            days=line.absence.working_days, b=line.b_name))
    return redirect(url_for("posts.page"))


@bp.route("/absences/<int:absence_id>/cancel", methods=["POST"])
@require(*SUPERVISING)
def cancel_absence(absence_id):
    line = service.cancel_absence(current_actor(), absence_id)
    flash(_("已取消 %(a)s 的离岗登记", a=line.a_name))
    return redirect(url_for("posts.page"))


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    """The page again with the refusal and the form as typed; nothing was written."""
    if request.endpoint in ("posts.record_absence", "posts.cancel_absence"):
        return _page("open", error, request.form if request.endpoint == "posts.record_absence" else None)
    return errors.handle_refusal(error)
