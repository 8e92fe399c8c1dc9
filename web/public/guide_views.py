"""The public 办事指南 pages (no sign-in): the items by category and department with search, one item's
printable guide, and its sample and blank forms; the same reads as GET /api/v1/public/items."""

from urllib.parse import quote

from flask import Blueprint, Response, render_template, request

from engine.errors import OneWindowError
from web.limits import limiter
from web.public import guide

bp = Blueprint("guide", __name__, url_prefix="/guide")


@bp.route("/")
@limiter.shared_limit(guide.GUIDE_LIMIT, scope=guide.GUIDE_SCOPE)
def index():
    question = {key: request.args.get(key, "") for key in ("q", "department", "category")}
    departments, categories = guide.filters()
    try:
        lines, refusal = guide.items(**question), None
    except OneWindowError as error:
        lines, refusal = [], error
    return render_template("public/guide.html", lines=lines, question=question, departments=departments,
                           categories=categories, refusal=refusal), refusal.http_status if refusal else 200


@bp.route("/<code>")
@limiter.shared_limit(guide.GUIDE_LIMIT, scope=guide.GUIDE_SCOPE)
def item(code):
    return render_template("public/guide_item.html", item=guide.item(code))


@bp.route("/<code>/forms/<int:form_id>")
@limiter.shared_limit(guide.GUIDE_LIMIT, scope=guide.GUIDE_SCOPE)
def form_file(code, form_id):
    row = guide.form_file(code, form_id)
    return Response(row.data, mimetype=row.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}"})
