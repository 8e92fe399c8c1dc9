"""Who is asking, and may they: one check for pages and the API alike.

Pages sign in with a session (Flask-Login); API clients send ``Authorization: Bearer
<token>``. A session-authenticated request that changes something must carry the CSRF
token (forms post it, scripts send ``X-CSRFToken``); token requests need none.
"""

from functools import wraps

from flask import abort, current_app, g, request
from flask_login import UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from engine.actor import Actor
from engine.permissions import holds_role
from engine.posts.service import with_cover
from engine.staff import passwords, tokens
from engine.staff.models import Staff

csrf = CSRFProtect()
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SignedInUser(UserMixin):
    """The Flask-Login user: the engine's Actor of the signed-in staff member, and the
    session epoch the cookie was issued in (``staff_id:epoch`` in the session)."""

    def __init__(self, actor: Actor, epoch: int):
        self.actor, self.epoch = actor, epoch

    def get_id(self) -> str:
        return f"{self.actor.id}:{self.epoch}"


def case_engine():
    return current_app.extensions["onewindow"]


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def token_policy() -> tokens.TokenPolicy:
    return current_app.extensions["onewindow_tokens"]


def production_mode() -> bool:
    return current_app.config.get("ONEWINDOW_MODE") == "production"


def note_password_change_due(staff: Staff) -> None:
    """Whether the signed-in person must choose a password first (web.auth.password's gate reads it),
    from the staff row the sign-in check just read: the gate costs the request no round trip."""
    g.password_change_due = passwords.change_due(staff, production=production_mode())


def password_change_due() -> bool:
    return g.get("password_change_due", False)


def _token_actor(token: str) -> Actor | None:
    """The actor of a live bearer token (``g.token_id`` names it); a used token is kept alive."""
    engine, now = case_engine(), case_engine().clock.now()
    with engine.session() as session:
        found = tokens.find(session, token, now, token_policy())
        if found is None:
            return None
        actor, row, staff = found
        actor = with_cover(session, actor, engine.clock.today())
        note_password_change_due(staff)
    if tokens.needs_touch(row, now):
        with engine.transaction() as session:
            tokens.touch(session, row.id, now)
    g.token_id = row.id
    return actor


def current_actor() -> Actor | None:
    """The signed-in actor, with the A posts they cover today (AB岗) read afresh on each request."""
    if "actor" not in g:
        token = _bearer_token()
        if token is not None:
            g.actor = _token_actor(token)
            g.token_auth = g.actor is not None
        else:
            g.actor = current_user.actor if current_user.is_authenticated else None
            g.token_auth = False
    return g.actor


def require(*roles: str):
    """The view needs a signed-in actor with one of ``roles`` (none given: any role)."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                abort(401)
            if request.method in UNSAFE_METHODS and not g.token_auth:
                csrf.protect()
            if roles and not holds_role(actor, roles):
                abort(403, description=f"需要以下角色之一：{'、'.join(roles)} (this needs the role {' or '.join(roles)})")
            return view(*args, **kwargs)
        guarded.required_roles = roles  # read by the role x endpoint test matrix
        return guarded
    return decorate


def case_checked_first(check):
    """The view's case (its ``number``) passes ``check(actor, number)`` before the request body is
    read: a case out of the caller's reach is refused (403/404), never answered with the body's 422."""
    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            check(current_actor(), kwargs["number"])
            return view(*args, **kwargs)
        return checked
    return decorate


__all__ = ["CSRFError", "SignedInUser", "case_checked_first", "case_engine", "csrf", "current_actor",
           "note_password_change_due", "password_change_due", "production_mode", "require", "token_policy"]
