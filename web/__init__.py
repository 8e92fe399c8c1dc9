"""The OneWindow web application (Flask app factory)."""

from pathlib import Path

from flask import Flask
from flask_babel import get_locale
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.clock import Clock
from engine.migrate import schema_problem
from engine.settings import EngineSettings
from web.config import CONFIGS

ROLE_NAMES = {"clerk": "窗口受理", "approver": "后台审批", "chief": "首席代表", "supervisor": "督查", "admin": "系统管理员",
              "director": "中心主任"}
# Engine settings come from engine/settings.py, never from the Flask config.
ENGINE_KEYS = ("DATABASE_URL", "CLOCK", "CASE_NUMBER_PREFIX", "CENTER_NAME")


def create_app(config: dict | None = None, *, settings: EngineSettings | None = None,
               clock: Clock | None = None) -> Flask:
    """The app with one CaseEngine (one SQLAlchemy engine and its pool) for this process.

    ``settings`` default to the environment's; ``config`` overrides the web's own settings.
    """
    if config and (misplaced := sorted(set(config) & set(ENGINE_KEYS))):
        raise ValueError(f"{', '.join(misplaced)}: engine settings go in settings=EngineSettings(...) or clock=")
    settings = settings or EngineSettings.from_environment()
    app = Flask(__name__, instance_path=str(settings.instance_folder))
    config_class = CONFIGS[settings.mode]
    app.config.from_object(config_class)
    app.config.update(config_class.from_environment())
    if config:
        app.config.update(config)
    app.config["CENTER_NAME"] = settings.center_name
    app.config["ONEWINDOW_MODE"] = settings.mode
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.extensions["onewindow"] = settings.open_engine(clock=clock)
    _refuse_another_schema(app.extensions["onewindow"].db)
    app.extensions["onewindow_tokens"] = settings.tokens
    if app.config["TRUSTED_PROXIES"]:
        # The client's address is the one the last N proxies saw, for rate limits and sign-in throttling.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])
    _init_web(app)
    return app


def _refuse_another_schema(db) -> None:
    """Not start on a schema this code does not match (a forgotten ``onewindow db upgrade`` would
    fail request after request on a missing column). A database that is down is no reason not to
    start: requests answer 503 until it is back (web/failures.py)."""
    try:
        problem = schema_problem(db)
    except (OperationalError, InterfaceError):
        return
    if problem:
        db.dispose()
        raise RuntimeError(problem)


def _init_web(app: Flask) -> None:
    from web import api, errors, failures, i18n, layout, responses
    from web.access import csrf, current_actor
    from web.admin import api as admin_api
    from web.admin import views as admin_views
    from web.appointments import api as appointments_api
    from web.appointments import public_views as appointment_public_views
    from web.appointments import views as appointments_views
    from web.attendance import api as attendance_api
    from web.attendance import views as attendance_views
    from web.auth import api as auth_api
    from web.auth import password
    from web.auth import views as auth_views
    from web.back_office import api as back_office_api
    from web.back_office import views as back_office_views
    from web.board import api as board_api
    from web.board import views as board_views
    from web.case_register import views as case_register_views
    from web.enquiries import api as enquiries_api
    from web.enquiries import public_views as enquiry_public_views
    from web.enquiries import views as enquiries_views
    from web.ledger import api as ledger_api
    from web.ledger import views as ledger_views
    from web.limits import limiter
    from web.notifications import api as notifications_api
    from web.notifications import views as notifications_views
    from web.posts import api as posts_api
    from web.posts import views as posts_views
    from web.preapplications import api as pre_applications_api
    from web.preapplications import views as pre_applications_views
    from web.public import api as public_api
    from web.public import guide_api, guide_views, rating_views
    from web.public import views as public_views
    from web.refusal_register import api as refusal_register_api
    from web.refusal_register import views as refusal_register_views
    from web.reports import api as reports_api
    from web.reports import views as reports_views
    from web.setup import api as setup_api
    from web.setup import center_views as setup_center_views
    from web.setup import views as setup_views
    from web.staffrules import api as staff_rules_api
    from web.staffrules import views as staff_rules_views
    from web.supervision import api as supervision_api
    from web.supervision import contest_views
    from web.supervision import views as supervision_views
    from web.tasks import api as tasks_api
    from web.tasks import views as tasks_views
    from web.window import api as window_api
    from web.window import views as window_views

    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    auth_views.init_app(app)
    password.init_app(app)
    for module in (window_views, back_office_views, tasks_views, board_views, ledger_views, public_views,
                   supervision_views, posts_views, setup_views, setup_center_views, admin_views, staff_rules_views,
                   refusal_register_views, case_register_views, reports_views, attendance_views, notifications_views,
                   guide_views, rating_views, contest_views, enquiries_views, enquiry_public_views,
                   appointments_views, appointment_public_views, pre_applications_views):
        app.register_blueprint(module.bp)
    api.init_app(app, [auth_api.blp, tasks_api.blp, window_api.blp, back_office_api.blp, board_api.blp,
                       ledger_api.blp, public_api.blp, supervision_api.blp, posts_api.blp, setup_api.blp,
                       password.blp, admin_api.blp, staff_rules_api.blp, refusal_register_api.blp,
                       reports_api.blp, attendance_api.blp, notifications_api.blp,
                       guide_api.blp, enquiries_api.blp, appointments_api.blp, appointments_api.public_blp,
                       pre_applications_api.blp])
    errors.register(app)
    failures.register(app)
    responses.init_app(app)
    layout.init_app(app)
    app.jinja_env.globals.update(current_actor=current_actor, languages=i18n.LANGUAGES, role_names=ROLE_NAMES,
                                 get_locale=get_locale)
