"""Signing in for API tokens (one per device), listing and ending them; who am I; failed sign-ins."""

from flask import g, request
from marshmallow import Schema, fields, validate

from engine.errors import InvalidInput
from engine.staff import tokens
from engine.staff.accounts import sign_in, sign_in_attacks
from web.access import case_engine, current_actor, require, token_policy
from web.api import api_blueprint
from web.limits import limiter

blp = api_blueprint("auth_api", __name__, "/auth", "Sign in for an API token; your tokens; who am I")


class Credentials(Schema):
    username = fields.Str(required=True, validate=validate.Length(1, 50))
    password = fields.Str(required=True, validate=validate.Length(1, 200), load_only=True)


class Token(Schema):
    token = fields.Str()
    id = fields.Int()
    username = fields.Str()
    role = fields.Str()
    expires_at = fields.DateTime(metadata={"description": "the absolute end; unused for the idle time it ends sooner"})
    idle_minutes = fields.Int()


class TokenInfo(Schema):
    id = fields.Int()
    label = fields.Str(metadata={"description": "the device (its User-Agent when the token was issued)"})
    created_at = fields.DateTime()
    last_used_at = fields.DateTime()
    ends_at = fields.DateTime(metadata={"description": "when it stops working unless used again first"})
    current = fields.Bool(metadata={"description": "the token this request was sent with"})


class Ended(Schema):
    ended = fields.Int()


class Attack(Schema):
    username = fields.Str(metadata={"description": "the name typed (whether or not such an account exists)"})
    source = fields.Str(allow_none=True, metadata={"description": "the address; null: from everywhere"})
    failures = fields.Int()
    last_failure_at = fields.DateTime()
    refused_until = fields.DateTime()


class Me(Schema):
    id = fields.Int()
    username = fields.Str()
    name = fields.Str()
    role = fields.Str()
    roles = fields.List(fields.Str(), metadata={"description": "every role held, the primary one first"})
    department_code = fields.Str(allow_none=True)


@blp.route("/token", methods=["POST"])
@limiter.limit("20 per minute")
@blp.arguments(Credentials)
@blp.response(201, Token)
def token(credentials):
    """Exchange username and password for a bearer token; the account's other tokens keep working."""
    engine, now, policy = case_engine(), case_engine().clock.now(), token_policy()
    actor, _epoch = sign_in(engine.transaction, credentials["username"], credentials["password"], now,
                            request.remote_addr)
    with engine.transaction() as session:
        value, row = tokens.issue(session, actor.id, now, policy, request.user_agent.string)
        token_id, expires_at = row.id, row.expires_at
    return {"token": value, "id": token_id, "username": actor.username, "role": actor.role,
            "expires_at": expires_at, "idle_minutes": int(policy.idle.total_seconds() // 60)}


@blp.route("/token", methods=["DELETE"])
@require()
@blp.response(204)
def end_this_token():
    """End the bearer token this request is sent with (this device signs out)."""
    if "token_id" not in g:
        raise InvalidInput("此调用结束所携带的令牌；网页请从页面退出 (send the bearer token to end; pages sign out "
                           "with POST /logout)", field="Authorization")
    engine = case_engine()
    tokens.end_token(engine.transaction, current_actor(), g.token_id, engine.clock.now(), reason="sign_out")


@blp.route("/tokens")
@require()
@blp.response(200, TokenInfo(many=True))
def my_tokens():
    """Your live tokens, newest first."""
    engine, policy = case_engine(), token_policy()
    with engine.session() as session:
        rows = tokens.tokens_of(session, current_actor().id, engine.clock.now(), policy)
    return [{"id": row.id, "label": row.label, "created_at": row.created_at, "last_used_at": row.last_used_at,
             "ends_at": policy.ends_at(row), "current": row.id == g.get("token_id")} for row in rows]


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@require()
@blp.response(204)
def end_one_token(token_id):
    """End one of your tokens (an administrator: anyone's)."""
    engine = case_engine()
    tokens.end_token(engine.transaction, current_actor(), token_id, engine.clock.now())


@blp.route("/staff/<username>/tokens", methods=["DELETE"])
@require("admin")
@blp.response(200, Ended)
def end_tokens_of(username):
    """An administrator ends every token of one person."""
    engine = case_engine()
    return {"ended": tokens.end_tokens_of(engine.transaction, current_actor(), username, engine.clock.now())}


@blp.route("/attacks")
@require("supervisor", "admin")
@blp.response(200, Attack(many=True))
def attacks():
    """Names and sources refused after repeated failed sign-ins in the last day."""
    engine = case_engine()
    with engine.session() as session:
        rows = sign_in_attacks(session, current_actor(), engine.clock.now())
    return [{"username": row.username, "source": row.source or None, "failures": row.failures,
             "last_failure_at": row.last_failure_at, "refused_until": row.refused_until} for row in rows]


@blp.route("/me")
@require()
@blp.response(200, Me)
def me():
    """The signed-in staff member."""
    return current_actor()
