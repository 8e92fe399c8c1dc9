"""The staff's enquiry pages: the register with its filters and the form for what one was just asked
(首问), and one enquiry with its answer and referral (转办) forms."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from engine.enquiries.models import CHANNELS, STATES
from engine.enquiries.service import MAX_REFERRAL_DAYS
from engine.permissions import may_register_enquiry
from web.access import current_actor, require
from web.enquiries import service
from web.enquiries.api import READERS
from web.layout import department_names

bp = Blueprint("enquiries", __name__, url_prefix="/enquiries")
CHANNEL_LABELS = {"window": "窗口", "phone": "电话", "online": "网上"}
STATE_LABELS = {"open": "首问办理中", "referred": "已转办", "answered": "已答复"}


@bp.context_processor
def helpers():
    return {"channel_label": lambda channel: _(CHANNEL_LABELS.get(channel, channel)),
            "state_label": lambda state: _(STATE_LABELS.get(state, state)),
            "local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "channels": CHANNELS, "states": STATES}


def _filters() -> dict:
    """The list's filters as given; the engine refuses a value it does not know, naming the filter."""
    args = request.args
    return {"state": args.get("state") or None, "channel": args.get("channel") or None,
            "department": (args.get("department") or "")[:16] or None, "overdue": args.get("overdue") == "1"}


@bp.route("/")
@require(*READERS)
def index():
    actor = current_actor()
    return render_template("enquiries/index.html", lines=service.book().listing(actor, **_filters()),
                           args=request.args, departments=department_names(),
                           may_register=may_register_enquiry(actor).allowed,
                           items=service.item_choices())


@bp.route("/", methods=["POST"])
@require(*READERS)
def register():
    line = service.book().register(current_actor(), **service.form_fields(request.form, service.REGISTER_FIELDS))
    flash(_("咨询已登记：%(number)s", number=line.enquiry.number))
    return redirect(url_for("enquiries.one", enquiry_id=line.enquiry.id), 303)


@bp.route("/<int:enquiry_id>")
@require(*READERS)
def one(enquiry_id):
    return render_template("enquiries/enquiry.html", line=service.book().line(current_actor(), enquiry_id),
                           departments=department_names(), max_days=MAX_REFERRAL_DAYS)


@bp.route("/<int:enquiry_id>/answer", methods=["POST"])
@require(*READERS)
def answer(enquiry_id):
    line = service.book().answer(current_actor(), enquiry_id, request.form.get("answer"))
    flash(_("已答复咨询 %(number)s", number=line.enquiry.number))
    return redirect(url_for("enquiries.one", enquiry_id=enquiry_id), 303)


@bp.route("/<int:enquiry_id>/referral", methods=["POST"])
@require(*READERS)
def refer(enquiry_id):
    form = request.form
    line = service.book().refer(current_actor(), enquiry_id, department=form.get("department") or None,
                                days=service.referral_days(form.get("days")), note=form.get("note"))
    flash(_("已转办至 %(department)s，%(due)s 前答复", department=department_names().get(
        line.enquiry.department_code, line.enquiry.department_code), due=line.enquiry.referral_due_on))
    return redirect(url_for("enquiries.one", enquiry_id=enquiry_id), 303)
