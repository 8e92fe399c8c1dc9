"""The applicant's own booking pages (网上预约, no sign-in), reached from an item's guide: the free places
of a day, the booking with his code, and cancelling with the code and his phone. The same as
/api/v1/public/appointments, with its rate limit."""

from datetime import timedelta

from flask import Blueprint, render_template, request, session, url_for
from flask import redirect as redirect_to

from engine.cases.schemas import ID_TYPES
from engine.errors import OneWindowError
from web.access import case_engine
from web.appointments import service
from web.limits import limiter
from web.public import guide
from web.window import service as window_service

bp = Blueprint("appointment_booking", __name__, url_prefix="/book")
BOOKED = "booked_appointment"  # the session key of the receipt this browser has just been given


@bp.route("/<item_code>", methods=["GET", "POST"])
@limiter.shared_limit(service.READ_LIMIT, scope=service.READ_SCOPE, methods=["GET"])
@limiter.shared_limit(service.BOOK_LIMIT, scope=service.BOOK_SCOPE, methods=["POST"])
def book(item_code):
    item = guide.item(item_code)
    day = service.day_argument(request.values.get("date"), _first_day())
    places, refusal, applicant = [], None, {"kind": "person", "id_type": next(iter(ID_TYPES))}
    if request.method == "POST":
        applicant = window_service.applicant_from_form(request.form)
        try:
            line = service.book().book_online(item_code=item.code, date=day,
                                              slot_id=service.form_number(request.form.get("slot_id")),
                                              applicant=applicant)
        except OneWindowError as error:
            refusal = error
        else:
            session[BOOKED] = {"code": line.appointment.code, "item_name": line.item_name,
                               "window_name": line.window_name, "day": line.appointment.day.isoformat(),
                               "starts_at": f"{line.appointment.starts_at:%H:%M}",
                               "ends_at": f"{line.appointment.ends_at:%H:%M}"}
            return redirect_to(url_for("appointment_booking.booked"), 303)
    if not (refusal and refusal.field == "date"):
        try:
            places = service.book().free_places(item.code, day)
        except OneWindowError as error:
            refusal = refusal or error
    page = render_template("appointments/public_book.html", item=item, day=day, places=places, refusal=refusal,
                           applicant=applicant, id_types=ID_TYPES, form=request.form)
    return page, refusal.http_status if refusal else 200


def _first_day():
    """Tomorrow's working day: today's slots are mostly gone by the time one books."""
    engine = case_engine()
    return engine.calendar.get().next_working_day(engine.clock.today() + timedelta(days=1))


@bp.route("/booked")
def booked():
    return render_template("appointments/public_booked.html", receipt=session.get(BOOKED))


@bp.route("/cancel", methods=["GET", "POST"])
@limiter.shared_limit(service.BOOK_LIMIT, scope=service.BOOK_SCOPE, methods=["POST"])
def cancel():
    refusal, cancelled = None, None
    if request.method == "POST":
        try:
            cancelled = service.book().cancel(request.form.get("code"), request.form.get("phone"))
        except OneWindowError as error:
            refusal = error
    page = render_template("appointments/public_cancel.html", refusal=refusal, cancelled=cancelled,
                           code=request.form.get("code", ""))
    return page, refusal.http_status if refusal else 200
