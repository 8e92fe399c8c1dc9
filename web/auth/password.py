"""Choosing and changing one's own password (page and API), and the gate that sends a person with a
one-time or reset password (or, in production, an unchanged demo account) to choose one first."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user
from marshmallow import Schema, fields, validate

from engine.errors import InvalidInput, OneWindowError
from web.access import SignedInUser, case_engine, current_actor, password_change_due, require
from web.api import api_blueprint
from web.errors import wants_json

bp = Blueprint("password", __name__)
blp = api_blueprint("password_api", __name__, "/auth", "Change one's own password")
# What a person who must choose a password may still reach: this page and API, signing out, the
# language switch, and the static files the page needs.
OPEN_ENDPOINTS = {"password.page", "password_api.change", "auth.logout", "auth.language", "static"}


class PasswordChange(Schema):
    old_password = fields.Str(required=True, validate=validate.Length(1, 200), load_only=True)
    new_password = fields.Str(required=True, validate=validate.Length(1, 200), load_only=True)


class Changed(Schema):
    message = fields.Str()


def _change(old_password, new_password) -> None:
    actor = current_actor()
    epoch = case_engine().staff_admin.change_password(actor, old_password, new_password)
    if not _token_request():
        # Every other session ended with the change; this one carries on in the new epoch.
        login_user(SignedInUser(actor, epoch))


def _token_request() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


@bp.route("/password", methods=["GET", "POST"])
@require()
def page():
    refusal = None
    if request.method == "POST":
        try:
            if request.form.get("new_password") != request.form.get("new_password_confirm"):
                raise InvalidInput(_("两次输入的新密码不一致"), field="new_password_confirm")
            _change(request.form.get("old_password"), request.form.get("new_password"))
        except OneWindowError as error:
            refusal = error
        else:
            flash(_("密码已修改；其他已登录的会话和 API 令牌均已失效"))
            return redirect(url_for("auth.index"))
    due = password_change_due()
    return render_template("auth/password.html", refusal=refusal, due=due), refusal.http_status if refusal else 200


@blp.route("/password", methods=["POST"])
@require()
@blp.arguments(PasswordChange)
@blp.response(200, Changed)
def change(fields):
    """Change one's own password (the old one required; the policy in docs/rules.md). Every session
    and the API token of the account end: sign in again for a new token."""
    _change(fields["old_password"], fields["new_password"])
    return {"message": "密码已修改 (password changed); sign in again for a new API token"}


def password_gate():
    """Before any view: a person who must choose a password is sent to do that first."""
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    actor = current_actor()
    if actor is None or actor.id is None:
        return None
    if not password_change_due():  # read with the sign-in check, in its session
        return None
    if wants_json():
        return jsonify({"code": "password_change_required", "field": "new_password",
                        "message": _("请先设置新密码 (POST /api/v1/auth/password)")}), 403
    return redirect(url_for("password.page"))


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.before_request(password_gate)
