from flask import Blueprint, render_template

from web.access import require

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.route("/")
@require("approver", "chief")
def inbox():
    return render_template("tasks/inbox.html")
