"""The supervisor's board page; the figures refresh from /api/v1/board/summary."""

from flask import Blueprint, render_template, request

from engine.errors import OneWindowError
from web.access import require
from web.board import service

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.route("/")
@require("supervisor", "admin")
def page():
    department, state = request.args.get("department") or None, request.args.get("state") or None
    try:
        figures = service.summary(department, state)
    except OneWindowError as refusal:
        return render_template("board/page.html", figures=service.summary(), department=None, state=None,
                               refusal=refusal), refusal.http_status
    return render_template("board/page.html", figures=figures, department=department, state=state, refusal=None)
