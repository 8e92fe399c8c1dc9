"""The OneWindow web application (Flask app factory)."""

import os
from pathlib import Path

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from engine.db import Base, configure_engine, engine_options
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
        )
    return app
