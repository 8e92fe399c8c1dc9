"""The OneWindow web application (Flask app factory)."""

from pathlib import Path

from flask import Flask
from flask_babel import get_locale

from engine.clock import Clock
from engine.settings import EngineSettings
from web.config import CONFIGS

ROLE_NAMES = {"clerk": "窗口受理", "approver": "后台审批", "chief": "首席代表", "supervisor": "督查", "admin": "管理员"}
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
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.extensions["onewindow"] = settings.open_engine(clock=clock)
    _init_web(app)
    return app


def _init_web(app: Flask) -> None:
    from web import api, errors, i18n, layout, responses
    from web.access import csrf, current_actor
    from web.auth import api as auth_api
    from web.auth import views as auth_views
    from web.board import api as board_api
    from web.board import views as board_views
    from web.cases import api as cases_api
    from web.cases import views as cases_views
    from web.ledger import api as ledger_api
    from web.ledger import views as ledger_views
    from web.limits import limiter
    from web.posts import api as posts_api
    from web.posts import views as posts_views
    from web.public import api as public_api
    from web.public import views as public_views
    from web.supervision import api as supervision_api
    from web.supervision import views as supervision_views
    from web.tasks import api as tasks_api
    from web.tasks import views as tasks_views

    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    auth_views.init_app(app)
    for module in (cases_views, tasks_views, board_views, ledger_views, public_views, supervision_views,
                   posts_views):
        app.register_blueprint(module.bp)
    api.init_app(app, [auth_api.blp, tasks_api.blp, cases_api.blp, board_api.blp, ledger_api.blp, public_api.blp,
                       supervision_api.blp, posts_api.blp])
    errors.register(app)
    responses.init_app(app)
    layout.init_app(app)
    app.jinja_env.globals.update(current_actor=current_actor, languages=i18n.LANGUAGES, role_names=ROLE_NAMES,
                                 get_locale=get_locale)
