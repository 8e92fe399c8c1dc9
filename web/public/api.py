"""The public progress lookup as JSON (no sign-in): the page's function, the page's rate limit."""

from web.api import api_blueprint
from web.limits import asked_number, limiter, wrong_answer
from web.public import schemas, service

blp = api_blueprint("progress_api", __name__, "/progress",
                    "Public progress lookup for applicants: case number and the phone's last 4 digits (no sign-in)")


@blp.route("", methods=["POST"])
@limiter.shared_limit(service.LOOKUP_LIMIT, scope=service.LOOKUP_SCOPE)
@limiter.shared_limit(service.CASE_LIMIT, scope=service.CASE_SCOPE, key_func=asked_number,
                      deduct_when=wrong_answer, error_message=service.case_rests)
@blp.doc(security=[])
@blp.arguments(schemas.ProgressQuestion)
@blp.response(200, schemas.ProgressAnswer)
def progress(question):
    """Status, item, due date, whether the result is ready, a stopped clock, an extension, the parcel.

    A wrong number and a wrong phone give the same 404, so the answer never tells whether
    a case number exists. Shares its rate limit with the lookup page.
    """
    return service.lookup(question["number"], question["phone_tail"])
