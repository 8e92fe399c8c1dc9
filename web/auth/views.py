from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, login_user, logout_user

from engine.errors import OneWindowError
from engine.permissions import home_area
from engine.posts.service import with_cover
from engine.staff.accounts import session_actor, sign_in, sign_out
from engine.staff.models import Staff
from engine.validation import is_id
from web.access import SignedInUser, case_engine, current_actor, note_password_change_due, require
from web.i18n import LANGUAGES
from web.limits import limiter
from web.refusals import explain

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str):
    staff_id, _, epoch = user_id.partition(":")
    if not staff_id.isdigit() or not epoch.isdigit() or not is_id(int(staff_id)):
        return None
    with case_engine().session() as db_session:
        # Held here, the row stays in the session: session_actor and the password gate read it without SQL.
        staff = db_session.get(Staff, int(staff_id))
        actor = session_actor(db_session, int(staff_id), int(epoch))
        # Cover (AB岗) is read on every request, so it ends the day the absence ends.
        actor = actor and with_cover(db_session, actor, case_engine().clock.today())
        if actor:
            note_password_change_due(staff)
    return SignedInUser(actor, int(epoch)) if actor else None


HOME_PAGES = {"window": "cases.workspace", "back_office": "tasks.inbox", "supervision": "board.page",
              "admin": "admin.staff_list"}


def home_of(role: str) -> str:
    return url_for(HOME_PAGES[home_area(role)])


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: an open redirect would hand the session to someone else's page."""
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/")
def index():
    actor = current_actor()
    return redirect(home_of(actor.role) if actor else url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        engine = case_engine()
        try:
            actor, epoch = sign_in(engine.transaction, request.form.get("username", "").strip(),
                                   request.form.get("password", ""), engine.clock.now(), request.remote_addr)
        except OneWindowError as refusal:
            error = explain(refusal)
            # The failed attempt is audited and counted even though the sign-in was refused.
            return render_template("auth/login.html", error=error, username=request.form.get("username", "")), \
                refusal.http_status if refusal.http_status != 422 else 401
        language = session.get("lang")
        session.clear()  # a fresh session on sign-in: no fixation
        if language:
            session["lang"] = language
        login_user(SignedInUser(actor, epoch))
        return redirect(_safe_next(request.args.get("next")) or home_of(actor.role))
    return render_template("auth/login.html", error=error, username="")


@bp.route("/logout", methods=["POST"])
@require()
def logout():
    engine = case_engine()
    sign_out(engine.transaction, current_actor(), engine.clock.now())
    logout_user()
    session.clear()
    flash(_("已退出登录"))
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>")
def language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")) or url_for("auth.index"))


def init_app(app) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["center_name"] = lambda: current_app.config["CENTER_NAME"]
