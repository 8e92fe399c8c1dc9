"""A/B post API (AB岗): windows, and A's absences covered by B. Any signed-in staff member
sees the windows and the absences they are part of; supervisors see all and record or cancel."""

from engine.roles import SUPERVISING
from web.access import current_actor, require
from web.api import api_blueprint
from web.posts import schemas, service

blp = api_blueprint("posts_api", __name__, "", "A/B posts (AB岗): windows with their A and B staff, and "
                    "absences of A during which B sees and acts on A's work")


@blp.route("/windows")
@require()
@blp.response(200, schemas.WindowRow(many=True))
def windows():
    """Every window with its A and B posts, and A's working days away this year."""
    return service.windows(current_actor())


@blp.route("/absences")
@require()
@blp.arguments(schemas.AbsenceQuery, location="query")
@blp.response(200, schemas.AbsenceRow(many=True))
def absences(query):
    """Absences (supervisors: all; anyone else: those where they are the A or the B post)."""
    return service.absences(current_actor(), query["state"])


@blp.route("/absences", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.NewAbsence)
@blp.response(201, schemas.AbsenceRow)
def record_absence(fields):
    """Record A's absence: the window's B post covers it from starts_on to ends_on. Refused (422, field
    named) when b_staff is not the window's B post, the dates are reversed or past, the stint is over
    20 working days or A's year over 40; 409 when it overlaps another absence."""
    return service.record_absence(current_actor(), fields)


@blp.route("/absences/<int:absence_id>/cancel", methods=["POST"])
@require(*SUPERVISING)
@blp.response(200, schemas.AbsenceRow)
def cancel_absence(absence_id):
    """Cancel an absence that has not ended; B's cover ends at once."""
    return service.cancel_absence(current_actor(), absence_id)
