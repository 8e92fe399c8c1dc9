"""The public's online enquiry (网上咨询, no sign-in): ask, get a receipt number, and read the answer
with the number and phone; the same as POST /api/v1/public/enquiries and …/answer, sharing their limits."""

from flask import Blueprint, redirect, render_template, request, session, url_for

from engine.errors import OneWindowError
from web.enquiries import service
from web.layout import department_names
from web.limits import asked_number, limiter, wrong_answer

bp = Blueprint("enquiry_public", __name__, url_prefix="/enquiries")
ASKED = "enquiry_asked"  # the session key of the receipt this browser was just given


def _ask_page(refusal=None, form=None, status=200):
    return render_template("enquiries/ask.html", refusal=refusal, form=form or {}, departments=department_names(),
                           items=service.item_choices(), receipt=session.get(ASKED)), status


@bp.route("/ask", methods=["GET", "POST"])
@limiter.shared_limit(service.ASK_LIMIT, scope=service.ASK_SCOPE, methods=["POST"])
def ask():
    if request.method == "POST":
        fields = service.form_fields(request.form, service.ASK_FIELDS)
        try:
            receipt = service.book().ask_online(department_code=(request.form.get("department") or None), **fields)
        except OneWindowError as refusal:
            return _ask_page(refusal, request.form, refusal.http_status)
        session[ASKED] = {"number": receipt.number, "reply_due_on": receipt.reply_due_on.isoformat()}
        return redirect(url_for("enquiry_public.ask"), 303)
    return _ask_page()


@bp.route("/answer", methods=["GET", "POST"])
@limiter.shared_limit(service.ASK_LIMIT, scope=service.ASK_SCOPE, methods=["POST"])
@limiter.shared_limit(service.NUMBER_LIMIT, scope=service.NUMBER_SCOPE, key_func=asked_number,
                      deduct_when=wrong_answer, error_message=service.number_rests, methods=["POST"])
def lookup():
    """The answer is shown in the response to the post itself: neither the phone nor the answer is kept
    in the session (a shared computer's next user reads nothing)."""
    number = request.form.get("number", "") if request.method == "POST" else \
        (session.get(ASKED) or {}).get("number", "")
    if request.method == "POST":
        try:
            found = service.book().public_answer(number, request.form.get("asker_phone"))
        except OneWindowError as refusal:
            return render_template("enquiries/answer.html", found=None, refusal=refusal, number=number), \
                refusal.http_status
        return render_template("enquiries/answer.html", found=found, refusal=None, number=found.number)
    return render_template("enquiries/answer.html", found=None, refusal=None, number=number)
