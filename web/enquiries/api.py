"""Enquiries API (首问负责, 咨询). Case workers register what they are asked and answer or refer it (转办);
the department it is referred to answers it; supervisors read every enquiry (the rules:
engine/permissions.py). The public asks online without signing in, and reads the answer with the
receipt number and phone."""

from engine.roles import CASE_WORKERS, SUPERVISING
from web.access import current_actor, require
from web.api import api_blueprint
from web.enquiries import schemas, service
from web.limits import asked_number, limiter, wrong_answer

blp = api_blueprint("enquiries_api", __name__, "", "Enquiries (首问负责制, 咨询): register, answer, refer; online questions")
READERS = (*CASE_WORKERS, *SUPERVISING)


@blp.route("/enquiries")
@require(*READERS)
@blp.arguments(schemas.EnquiryQuery, location="query")
@blp.response(200, schemas.EnquiryRow(many=True))
def listing(query):
    """Newest first: a supervisor's every enquiry, an approver's or chief's those referred to his department
    and his own, a clerk's his own (首问); phones masked."""
    return service.book().listing(current_actor(), **query)


@blp.route("/enquiries", methods=["POST"])
@require(*CASE_WORKERS)
@blp.arguments(schemas.NewEnquiry)
@blp.response(201, schemas.EnquiryRow)
def register(fields):
    """Register an enquiry you were asked (you are its 首问责任人); an online one is due in 2 working days."""
    return service.book().register(current_actor(), **fields)


@blp.route("/enquiries/<int:enquiry_id>")
@require(*READERS)
@blp.response(200, schemas.EnquiryRow)
def one(enquiry_id):
    """One enquiry with its referrals; 404 when it is not yours to read."""
    return service.book().line(current_actor(), enquiry_id)


@blp.route("/enquiries/<int:enquiry_id>/answer", methods=["POST"])
@require(*CASE_WORKERS)
@blp.arguments(schemas.EnquiryAnswerBody)
@blp.response(200, schemas.EnquiryRow)
def answer(fields, enquiry_id):
    """The answer, once, by the 首问 person or the department it is referred to; the asker is notified
    (outbox event ``enquiry_answered``)."""
    return service.book().answer(current_actor(), enquiry_id, fields["answer"])


@blp.route("/enquiries/<int:enquiry_id>/referral", methods=["POST"])
@require(*CASE_WORKERS)
@blp.arguments(schemas.EnquiryReferralBody)
@blp.response(200, schemas.EnquiryRow)
def refer(fields, enquiry_id):
    """转办 to a department, due in ``days`` working days; its approvers and chief see and answer it."""
    return service.book().refer(current_actor(), enquiry_id, **fields)


@blp.route("/public/enquiries", methods=["POST"])
@limiter.shared_limit(service.ASK_LIMIT, scope=service.ASK_SCOPE)
@blp.doc(security=[])
@blp.arguments(schemas.PublicEnquiry)
@blp.response(201, schemas.PublicEnquiryAnswer)
def ask(fields):
    """Ask online (no sign-in): the receipt number and the day the answer is due (2 working days).
    Shares its rate limit with the page."""
    return service.book().ask_online(department_code=fields.pop("department"), **fields)


@blp.route("/public/enquiries/answer", methods=["POST"])
@limiter.shared_limit(service.ASK_LIMIT, scope=service.ASK_SCOPE)
@limiter.shared_limit(service.NUMBER_LIMIT, scope=service.NUMBER_SCOPE, key_func=asked_number,
                      deduct_when=wrong_answer, error_message=service.number_rests)
@blp.doc(security=[])
@blp.arguments(schemas.PublicEnquiryLookup)
@blp.response(200, schemas.PublicEnquiryAnswer)
def lookup(fields):
    """The asker's question and its answer by receipt number and phone; a wrong number and a wrong phone
    give the same 404."""
    return service.book().public_answer(fields["number"], fields["asker_phone"])
