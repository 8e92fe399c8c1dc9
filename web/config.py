"""The web's own settings (secret key, cookies, rate limits, trusted proxies), chosen by ``ONEWINDOW_CONFIG``.

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
    # memory:// is per process: each worker would count on its own. Production shares e.g.
    # redis://host:6379/0 among every worker and host.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "onewindow"
    # "10 per minute" means any 60 seconds, not up to 20 across the turn of a clock minute.
    RATELIMIT_STRATEGY = "moving-window"
    # Reverse proxies in front of the app whose X-Forwarded-For is believed (0: none, the peer is
    # the client). Believing more than are really there would let a client choose its address.
    TRUSTED_PROXIES = 0
    # Set (ONEWINDOW_BEHIND_TLS=1) when a TLS proxy fronts the app: answers then carry HSTS.
    BEHIND_TLS = False
    # Where applicants reach the public pages from outside (ONEWINDOW_PUBLIC_URL, e.g.
    # https://zwfw.example.gov.cn): the rating link a notice prints starts with it. Unset: the
    # address the notice was printed from.
    PUBLIC_URL = ""

    @classmethod
    def from_environment(cls) -> dict:
        settings = {}
        for name in ("SECRET_KEY", "RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX", "PUBLIC_URL"):
            value = os.environ.get(f"ONEWINDOW_{name}")
            if value:
                settings[name] = value
        proxies = os.environ.get("ONEWINDOW_TRUSTED_PROXIES")
        if proxies:
            if not proxies.isdigit():
                raise RuntimeError(f"ONEWINDOW_TRUSTED_PROXIES={proxies!r} is not a whole number")
            settings["TRUSTED_PROXIES"] = int(proxies)
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
        settings = super().from_environment()
        if settings.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
            # Per-process counters let N workers answer N times the documented limit.
            raise RuntimeError("production needs a shared ONEWINDOW_RATELIMIT_STORAGE_URI (e.g. redis://host:6379/0)")
        return settings


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "testing": TestingConfig}
