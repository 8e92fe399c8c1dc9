"""The supervisor's page of staff rule warnings, with the override form beside each."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import OneWindowError
from engine.roles import SUPERVISING
from engine.staff_rules import RULES
from web.access import current_actor, require
from web.staffrules import service

bp = Blueprint("staff_rules", __name__, url_prefix="/supervision/staff-rules")


@bp.route("/")
@require(*SUPERVISING)
def page(refusal: OneWindowError | None = None):
    return render_template("supervision/staff_rules.html", warnings=service.warnings(current_actor()),
                           rules={code: _(label) for code, label in RULES.items()}, refusal=refusal), \
        refusal.http_status if refusal else 200


@bp.route("/overrides", methods=["POST"])
@require(*SUPERVISING)
def override():
    service.override(current_actor(), service.override_form(request.form))
    flash(_("已记录：该警示保留，理由已登记"))
    return redirect(url_for("staff_rules.page"))


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    return page(refusal=error)
