"""Appointments API (预约, seed 004 篇一 第十五条). Without sign-in: the free places of a day, booking
online and cancelling with the code and phone (rate-limited with the public pages). Signed in: a
clerk books by phone or in person, the window's list of the day, arrivals and no-shows; the
administrator sets each window's slots (the rules: engine/permissions.py)."""

from engine.roles import ADMINISTERING, APPOINTMENT_READERS, CLERK
from web.access import current_actor, require
from web.api import api_blueprint
from web.appointments import schemas, service
from web.limits import limiter

blp = api_blueprint("appointments_api", __name__, "", "Appointments (预约): the window's day, arrivals, no-shows, slots")
public_blp = api_blueprint("appointments_public_api", __name__, "/public",
                           "Booking an appointment (网上预约) and cancelling it, no sign-in")


@public_blp.route("/appointment-slots", methods=["GET"])
@limiter.shared_limit(service.READ_LIMIT, scope=service.READ_SCOPE)
@public_blp.doc(security=[])
@public_blp.arguments(schemas.FreePlacesQuery, location="query")
@public_blp.response(200, schemas.FreePlaceRow(many=True))
def free_places(query):
    """The places left on ``date`` for ``item`` at each window that receives it, slot by slot; a day that is
    past, not a working day, beyond the booking horizon or in a year the calendar does not know is 422."""
    return service.book().free_places(query["item"], query["date"])


@public_blp.route("/appointments", methods=["POST"])
@limiter.shared_limit(service.BOOK_LIMIT, scope=service.BOOK_SCOPE)
@public_blp.doc(security=[])
@public_blp.arguments(schemas.NewOnlineAppointment)
@public_blp.response(201, schemas.AppointmentReceipt)
def book_online(fields):
    """网上预约: a place in the slot; its ``code`` and the phone cancel it. A full slot, or a second booking of
    the same person for the item and day, is 409."""
    return service.book().book_online(**fields)


@public_blp.route("/appointments/cancel", methods=["POST"])
@limiter.shared_limit(service.BOOK_LIMIT, scope=service.BOOK_SCOPE)
@public_blp.doc(security=[])
@public_blp.arguments(schemas.AppointmentCancellation)
@public_blp.response(200, schemas.AppointmentReceipt)
def cancel(fields):
    """The applicant cancels with his code and the phone he booked with (404 when they do not match)."""
    return service.book().cancel(fields["code"], fields["phone"])


@blp.route("/appointments", methods=["GET"])
@require(*APPOINTMENT_READERS)
@blp.arguments(schemas.AppointmentDayQuery, location="query")
@blp.response(200, schemas.AppointmentRow(many=True))
def day_list(query):
    """The appointments of ``date``, at one ``window`` or at all, by time."""
    return service.book().day_list(current_actor(), query["date"], query["window"])


@blp.route("/appointments", methods=["POST"])
@require(CLERK)
@blp.arguments(schemas.NewStaffAppointment)
@blp.response(201, schemas.AppointmentRow)
def book_for(fields):
    """电话预约 or 当面预约: a clerk books for the applicant."""
    return service.book().book_for(current_actor(), **fields)


@blp.route("/appointments/<int:appointment_id>/arrived", methods=["POST"])
@require(CLERK)
@blp.response(200, schemas.AppointmentRow)
def arrived(appointment_id):
    """The applicant has come on his appointment's day (409 unless booked)."""
    return service.book().mark_arrived(current_actor(), appointment_id)


@blp.route("/appointments/<int:appointment_id>/no-show", methods=["POST"])
@require(CLERK)
@blp.response(200, schemas.AppointmentRow)
def no_show(appointment_id):
    """未到场, once the slot has begun (409 before, or unless booked); audited."""
    return service.book().record_no_show(current_actor(), appointment_id)


@blp.route("/appointments/slots", methods=["GET"])
@require(*APPOINTMENT_READERS, *ADMINISTERING)
@blp.response(200, schemas.SlotRow(many=True))
def slots():
    """Every window's slots with their places."""
    return service.book().slots(current_actor())


@blp.route("/appointments/slots", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.SlotInput)
@blp.response(200, schemas.SlotRow)
def save_slot(fields):
    """Define a window's slot or change it (by its start): its end, places and whether it is offered."""
    return service.book().save_slot(current_actor(), **fields)
