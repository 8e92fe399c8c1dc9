from flask import Blueprint, render_template

from web.access import require

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


@bp.route("/")
@require()
def page():
    return render_template("ledger/page.html")
