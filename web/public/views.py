"""The public progress lookup page (no sign-in); the same lookup as POST /api/v1/progress."""

from flask import Blueprint, redirect, render_template, request, session, url_for

from engine.errors import OneWindowError
from web.limits import asked_number, limiter, wrong_answer
from web.public import service

bp = Blueprint("public", __name__, url_prefix="/progress")
SHOWN = "progress_number"  # the session key of the case number last looked up


@bp.route("/", methods=["GET", "POST"])
@limiter.shared_limit(service.LOOKUP_LIMIT, scope=service.LOOKUP_SCOPE, methods=["POST"])
@limiter.shared_limit(service.CASE_LIMIT, scope=service.CASE_SCOPE, key_func=asked_number,
                      deduct_when=wrong_answer, error_message=service.case_rests, methods=["POST"])
def lookup():
    if request.method == "POST":
        try:
            progress = service.lookup(request.form.get("number"), request.form.get("phone_tail"))
        except OneWindowError as refusal:
            return render_template("public/lookup.html", progress=None, refusal=refusal,
                                   number=request.form.get("number", "")), refusal.http_status
        # The number whose phone was shown, not the phone: the GET that follows reads it afresh.
        session[SHOWN] = progress.number
        return redirect(url_for("public.lookup"), 303)
    shown = session.get(SHOWN)
    progress = service.progress_of(shown) if shown else None
    return render_template("public/lookup.html", progress=progress, refusal=None, number=shown or "")
