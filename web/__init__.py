"""The OneWindow web application (Flask app factory)."""

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from engine.db import Base, configure_engine, engine_options
from engine.deadlines.states import WarningPolicy
from engine.ledger.scores import BASIC, COMPETENT, EXCELLENT, ScoringPolicy
from engine.runtime import CaseEngine
from web.config import CONFIGS

db = SQLAlchemy(model_class=Base)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config_class = CONFIGS[os.environ.get("ONEWINDOW_CONFIG", "development")]
    app.config.from_object(config_class)
    app.config.update(config_class.from_environment())
    if config:
        app.config.update(config)
    if not app.config.get("DATABASE_URL"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'onewindow.sqlite'}"
    url = app.config["DATABASE_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(url)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
        app.extensions["onewindow"] = CaseEngine(
            db.engine, case_number_prefix=app.config["CASE_NUMBER_PREFIX"],
            workflow_cache_size=app.config["WORKFLOW_CACHE_SIZE"],
            warnings=WarningPolicy(app.config["WARNING_DAYS_LEFT"], app.config["WARNING_USED_SHARE"]),
            scoring=scoring_policy(app.config),
        )
    return app


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
