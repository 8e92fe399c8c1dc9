"""The web's own settings (secret key, cookies, rate limits), chosen by ``ONEWINDOW_CONFIG``.

Settings come from environment variables prefixed ``ONEWINDOW_``, read when the app is
created, not when this module is imported. What the engine needs (database, case numbers,
warning thresholds, scoring, the center's name) is read by ``engine/settings.py``.
"""

import os
from datetime import timedelta


class Config:
    SECRET_KEY = "dev-only-not-secret"
    MAX_CONTENT_LENGTH = 1024 * 1024
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # memory:// is per process; several app processes share e.g. redis://host:6379.
    RATELIMIT_STORAGE_URI = "memory://"
    # Set (ONEWINDOW_BEHIND_TLS=1) when a TLS proxy fronts the app: answers then carry HSTS.
    BEHIND_TLS = False

    @classmethod
    def from_environment(cls) -> dict:
        settings = {}
        for name in ("SECRET_KEY", "RATELIMIT_STORAGE_URI"):
            value = os.environ.get(f"ONEWINDOW_{name}")
            if value:
                settings[name] = value
        if os.environ.get("ONEWINDOW_BEHIND_TLS"):
            settings["BEHIND_TLS"] = os.environ["ONEWINDOW_BEHIND_TLS"].lower() in ("1", "true", "yes")
        return settings


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def from_environment(cls) -> dict:
        if not os.environ.get("ONEWINDOW_SECRET_KEY"):
            raise RuntimeError("production needs ONEWINDOW_SECRET_KEY in the environment")
        return super().from_environment()


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "testing": TestingConfig}
