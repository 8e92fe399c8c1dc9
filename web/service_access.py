"""Service tokens: the bearer tokens of service accounts (the provincial platform), checked apart
from staff sign-in. A view guarded here accepts a live service token holding its scope and nothing
else: no session, no staff token. Staff views (web/access.py) read staff tokens only, so a service
token opens none of them.
"""

from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, request

from engine.service_accounts.service import TOKEN_LIFETIME
from web.access import case_engine

# ONEWINDOW_SERVICE_TOKEN_MINUTES (via the app config SERVICE_TOKEN_MINUTES): an hour by default.
CONFIG_KEY = "SERVICE_TOKEN_MINUTES"


def token_lifetime() -> timedelta:
    minutes = current_app.config.get(CONFIG_KEY)
    return timedelta(minutes=int(minutes)) if minutes else TOKEN_LIFETIME


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def require_scope(scope: str):
    """The view needs a live service token with ``scope``; ``g.service_account`` is its account."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            token = _bearer()
            found = case_engine().service_accounts.find_token(token) if token else None
            if found is None:
                abort(401, description="需要服务账户的有效令牌：POST /api/v1/auth/client-token "
                                       "(a live service token is needed: POST /api/v1/auth/client-token)")
            account, row = found
            if scope not in row.scope.split():
                abort(403, description=f"令牌没有权限范围 {scope} (the token lacks the scope {scope})")
            g.service_account = account
            return view(*args, **kwargs)
        guarded.required_scope = scope
        return guarded
    return decorate
