from marshmallow import Schema, fields, validate

from engine.staff.accounts import issue_api_token, sign_in
from engine.staff.models import Staff
from web.access import case_engine, current_actor, require
from web.api import api_blueprint
from web.limits import limiter

blp = api_blueprint("auth_api", __name__, "/auth", "Sign in for an API token; who am I")


class Credentials(Schema):
    username = fields.Str(required=True, validate=validate.Length(1, 50))
    password = fields.Str(required=True, validate=validate.Length(1, 200), load_only=True)


class Token(Schema):
    token = fields.Str()
    username = fields.Str()
    role = fields.Str()


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
    """Exchange username and password for a bearer token (replaces the previous one)."""
    engine = case_engine()
    actor, _epoch = sign_in(engine.transaction, credentials["username"], credentials["password"], engine.clock.now())
    with engine.transaction() as session:
        value = issue_api_token(session, session.get(Staff, actor.id))
    return {"token": value, "username": actor.username, "role": actor.role}


@blp.route("/me")
@require()
@blp.response(200, Me)
def me():
    """The signed-in staff member."""
    return current_actor()
