"""The public progress lookup page (no sign-in); the same lookup as POST /api/v1/progress."""

from flask import Blueprint, render_template, request

from engine.errors import OneWindowError
from web.limits import limiter
from web.public import service

bp = Blueprint("public", __name__, url_prefix="/progress")


@bp.route("/", methods=["GET", "POST"])
@limiter.shared_limit(service.LOOKUP_LIMIT, scope=service.LOOKUP_SCOPE, methods=["POST"])
@limiter.shared_limit(service.CASE_LIMIT, scope=service.CASE_SCOPE, key_func=service.asked_case_number,
                      deduct_when=service.wrong_answer, error_message=service.case_rests, methods=["POST"])
def lookup():
    progress, refusal = None, None
    if request.method == "POST":
        try:
            progress = service.lookup(request.form.get("number"), request.form.get("phone_tail"))
        except OneWindowError as error:
            refusal = error
    return render_template("public/lookup.html", progress=progress, refusal=refusal,
                           number=request.form.get("number", "")), (refusal.http_status if refusal else 200)
