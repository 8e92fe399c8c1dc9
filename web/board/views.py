from flask import Blueprint, render_template

from web.access import require

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.route("/")
@require("supervisor", "admin")
def page():
    return render_template("board/page.html")
