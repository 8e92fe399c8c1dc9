from flask import Blueprint, render_template, request

from engine.errors import OneWindowError
from web.limits import limiter
from web.public import service

bp = Blueprint("public", __name__, url_prefix="/progress")


@bp.route("/", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def lookup():
    progress, refusal = None, None
    if request.method == "POST":
        try:
            progress = service.lookup(request.form.get("number"), request.form.get("phone_tail"))
        except OneWindowError as error:
            refusal = error
    return render_template("public/lookup.html", progress=progress, refusal=refusal,
                           number=request.form.get("number", "")), (refusal.http_status if refusal else 200)
