from flask import Blueprint, render_template

bp = Blueprint("public", __name__, url_prefix="/progress")


@bp.route("/")
def lookup():
    return render_template("public/lookup.html")
