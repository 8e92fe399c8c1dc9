"""The applicant's rating page (no sign-in), reached by the link or QR code on his notice; the same
rating as POST /api/v1/public/ratings."""

from flask import Blueprint, redirect, render_template, request, session, url_for

from engine.errors import OneWindowError
from engine.supervision.models import LEVELS
from web.limits import limiter
from web.public import rating

bp = Blueprint("rating", __name__, url_prefix="/rate")
RATED = "rated_case"  # the session key of the case this browser has just rated


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.shared_limit(rating.RATING_LIMIT, scope=rating.RATING_SCOPE, methods=["POST"])
def rate(token):
    try:
        case = rating.case_to_rate(token)
    except OneWindowError as refusal:
        return render_template("public/rate.html", case=None, levels=LEVELS, refusal=refusal,
                               chosen=None, comment=""), refusal.http_status
    if request.method == "POST":
        try:
            receipt = rating.rate(token, request.form.get("level"), request.form.get("comment"))
        except OneWindowError as refusal:
            return render_template("public/rate.html", case=case, levels=LEVELS, refusal=refusal,
                                   chosen=request.form.get("level"), comment=request.form.get("comment", "")), \
                refusal.http_status
        session[RATED] = {"case_number": receipt["case_number"], "level": receipt["level"]}
        return redirect(url_for("rating.thanks"), 303)
    return render_template("public/rate.html", case=case, levels=LEVELS, refusal=None, chosen=None, comment="")


@bp.route("/thanks")
def thanks():
    return render_template("public/rated.html", rated=session.get(RATED))
