"""The OneWindow web application (Flask app factory)."""

import os
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import Flask
from flask_babel import get_locale
from flask_sqlalchemy import SQLAlchemy

from engine.db import Base, configure_engine, engine_options
from engine.deadlines.states import WarningPolicy
from engine.ledger.scores import BASIC, COMPETENT, EXCELLENT, ScoringPolicy
from engine.runtime import CaseEngine
from web.config import CONFIGS

db = SQLAlchemy(model_class=Base)
ROLE_NAMES = {"clerk": "窗口受理", "approver": "后台审批", "chief": "首席代表", "supervisor": "督查", "admin": "管理员"}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config_class = CONFIGS[os.environ.get("ONEWINDOW_CONFIG", "development")]
    app.config.from_object(config_class)
    app.config.update(config_class.from_environment())
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'onewindow.sqlite'}"
    url = app.config["DATABASE_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(url)
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
        app.extensions["onewindow"] = CaseEngine(
            db.engine, clock=app.config.get("CLOCK"), case_number_prefix=app.config["CASE_NUMBER_PREFIX"],
            workflow_cache_size=app.config["WORKFLOW_CACHE_SIZE"],
            warnings=WarningPolicy(app.config["WARNING_DAYS_LEFT"], app.config["WARNING_USED_SHARE"]),
            scoring=scoring_policy(app.config),
        )
    _init_web(app)
    return app


def _init_web(app: Flask) -> None:
    from web import api, errors, i18n
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
    app.jinja_env.globals.update(current_actor=current_actor, languages=i18n.LANGUAGES, role_names=ROLE_NAMES,
                                 get_locale=get_locale)


def scoring_policy(config) -> ScoringPolicy:
    try:
        return ScoringPolicy(
            grades=((EXCELLENT, Decimal(config["GRADE_EXCELLENT"])), (COMPETENT, Decimal(config["GRADE_COMPETENT"])),
                    (BASIC, Decimal(config["GRADE_BASIC"]))),
            excellent_share=Decimal(config["EXCELLENT_SHARE"]),
            allowance_per_month=Decimal(config["ALLOWANCE_PER_MONTH"]),
            allowance_per_point=Decimal(config["ALLOWANCE_PER_POINT"]))
    except InvalidOperation:
        raise RuntimeError("ONEWINDOW_GRADE_*, EXCELLENT_SHARE and ALLOWANCE_* must be numbers") from None
