"""Configuration objects, chosen by ``ONEWINDOW_CONFIG`` (development, production, testing).

Settings come from environment variables prefixed ``ONEWINDOW_`` (e.g.
``ONEWINDOW_DATABASE_URL``), read when the app is created, not when this module is imported.
"""

import os


class Config:
    SECRET_KEY = "dev-only-not-secret"
    CENTER_NAME = "示范市政务服务中心"
    MAX_CONTENT_LENGTH = 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # memory:// is per process; several app processes share e.g. redis://host:6379.
    RATELIMIT_STORAGE_URI = "memory://"
    # Run the scheduler inside this process (the embedded default); off when a separate
    # `onewindow scheduler` process runs it.
    RUN_SCHEDULER = True
    # None means: a SQLite file in the instance folder (decided in create_app).
    DATABASE_URL = None
    CASE_NUMBER_PREFIX = "ZW"
    WORKFLOW_CACHE_SIZE = 256
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # 办件警示: yellow at most this many working days left, or this share of the limit used.
    WARNING_DAYS_LEFT = 2
    WARNING_USED_SHARE = 0.8
    # 考核: local rules, so configurable.
    GRADE_EXCELLENT = "90"
    GRADE_COMPETENT = "80"
    GRADE_BASIC = "60"
    EXCELLENT_SHARE = "0.15"
    ALLOWANCE_PER_MONTH = "100"
    ALLOWANCE_PER_POINT = "5"

    @classmethod
    def from_environment(cls) -> dict:
        settings = {}
        for name, convert in (("SECRET_KEY", str), ("DATABASE_URL", str), ("CASE_NUMBER_PREFIX", str),
                              ("CENTER_NAME", str), ("RATELIMIT_STORAGE_URI", str),
                              ("RUN_SCHEDULER", lambda value: value.lower() in ("1", "true", "yes")),
                              ("WORKFLOW_CACHE_SIZE", int), ("WARNING_DAYS_LEFT", int),
                              ("WARNING_USED_SHARE", float), ("GRADE_EXCELLENT", str), ("GRADE_COMPETENT", str),
                              ("GRADE_BASIC", str), ("EXCELLENT_SHARE", str), ("ALLOWANCE_PER_MONTH", str),
                              ("ALLOWANCE_PER_POINT", str)):
            value = os.environ.get(f"ONEWINDOW_{name}")
            if value:
                settings[name] = convert(value)
        return settings


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    RUN_SCHEDULER = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def from_environment(cls) -> dict:
        missing = [name for name in ("ONEWINDOW_SECRET_KEY", "ONEWINDOW_DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"production needs {', '.join(missing)} in the environment")
        return super().from_environment()


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "testing": TestingConfig}
