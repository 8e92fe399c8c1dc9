"""The windows' appointment pages: the list of a day (arrived, no-show, register from the appointment),
booking for an applicant by phone or in person, and the windows' slots (set by the administrator)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.appointments.service import CHANNELS, STAFF_CHANNELS
from engine.cases.schemas import ID_TYPES
from engine.errors import OneWindowError
from engine.permissions import may_book_for_applicant, may_configure_appointments
from engine.roles import ADMINISTERING, APPOINTMENT_READERS, CLERK
from web.access import case_engine, current_actor, require
from web.appointments import service
from web.window import service as window_service

bp = Blueprint("appointments", __name__, url_prefix="/appointments")
STATE_LABELS = {"booked": "已预约", "arrived": "已到场", "registered": "已收件", "no_show": "未到场",
                "cancelled": "已取消"}


@bp.context_processor
def helpers():
    actor = current_actor()
    return {"state_label": lambda state: _(STATE_LABELS.get(state, state)),
            "channel_label": lambda channel: _(CHANNELS.get(channel, channel)),
            "books_for_applicant": actor is not None and may_book_for_applicant(actor).allowed,
            "configures_slots": actor is not None and may_configure_appointments(actor).allowed}


@bp.route("/")
@require(*APPOINTMENT_READERS)
def day():
    day = service.day_argument(request.args.get("date"), case_engine().clock.today())
    window = (request.args.get("window") or "")[:16] or None
    lines = service.book().day_list(current_actor(), day, window)
    return render_template("appointments/day.html", lines=lines, day=day, window=window,
                           windows=service.book().windows())


@bp.route("/<int:appointment_id>/arrived", methods=["POST"])
@require(CLERK)
def arrived(appointment_id):
    line = service.book().mark_arrived(current_actor(), appointment_id)
    flash(_("%(name)s 已到场", name=line.appointment.applicant_name))
    return _back_to(line)


@bp.route("/<int:appointment_id>/no-show", methods=["POST"])
@require(CLERK)
def no_show(appointment_id):
    line = service.book().record_no_show(current_actor(), appointment_id)
    flash(_("已记录 %(name)s 未到场", name=line.appointment.applicant_name))
    return _back_to(line)


def _back_to(line):
    return redirect(url_for("appointments.day", date=line.appointment.day.isoformat(),
                            window=request.form.get("window") or None), 303)


@bp.route("/book", methods=["GET", "POST"])
@require(CLERK)
def book():
    """电话预约 / 当面预约: the item and day first, then a slot and the applicant."""
    item_code = (request.values.get("item") or "")[:32]
    day = service.day_argument(request.values.get("date"), case_engine().clock.today())
    places, refusal, applicant = [], None, {"kind": "person", "id_type": next(iter(ID_TYPES))}
    if request.method == "POST":
        applicant = window_service.applicant_from_form(request.form)
        try:
            line = service.book().book_for(current_actor(), item_code=item_code, date=day,
                                           slot_id=service.form_number(request.form.get("slot_id")),
                                           applicant=applicant, channel=request.form.get("channel"))
        except OneWindowError as error:
            refusal = error
        else:
            flash(_("已预约，预约码 %(code)s", code=line.appointment.code))
            return redirect(url_for("appointments.day", date=day.isoformat()), 303)
    if item_code and not (refusal and refusal.field in ("item_code", "date")):
        try:
            places = service.book().free_places(item_code, day)
        except OneWindowError as error:
            refusal = refusal or error
    page = render_template("appointments/book.html", groups=window_service.catalogue(), item_code=item_code,
                           day=day, places=places, refusal=refusal, applicant=applicant, id_types=ID_TYPES,
                           channels=STAFF_CHANNELS, form=request.form)
    return page, refusal.http_status if refusal else 200


@bp.route("/slots", methods=["GET", "POST"])
@require(*APPOINTMENT_READERS, *ADMINISTERING)
def slots():
    refusal = None
    if request.method == "POST":
        try:
            service.book().save_slot(current_actor(), window=request.form.get("window"),
                                     starts_at=request.form.get("starts_at"), ends_at=request.form.get("ends_at"),
                                     capacity=service.form_number(request.form.get("capacity")),
                                     active=request.form.get("active") == "on")
        except OneWindowError as error:
            refusal = error
        else:
            flash(_("已保存预约时段"))
            return redirect(url_for("appointments.slots"), 303)
    page = render_template("appointments/slots.html", slots=service.book().slots(current_actor()),
                           windows=service.book().windows(), refusal=refusal, form=request.form)
    return page, refusal.http_status if refusal else 200
