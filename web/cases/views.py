from flask import Blueprint, render_template

from web.access import require

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("/")
@require("clerk")
def workspace():
    return render_template("cases/workspace.html")


@bp.route("/mine")
@require("clerk")
def mine():
    return render_template("cases/workspace.html")
