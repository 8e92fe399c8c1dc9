"""The JSON API under /api/v1 (flask-smorest): OpenAPI at /api/openapi.json, docs at /api/docs."""

from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, fields

from web.access import csrf


class Refusal(Schema):
    """Every 4xx answer of the API (web.errors): what went wrong and which field."""

    code = fields.Str(required=True, metadata={"description": "invalid_input, forbidden, not_found, conflict …"})
    message = fields.Str(required=True)
    field = fields.Str(metadata={"description": "the offending field, when one is to blame"})


class OneWindowApi(Api):
    ERROR_SCHEMA = Refusal


api = OneWindowApi()

API_CONFIG = {
    "API_TITLE": "OneWindow 一窗通办 API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Vendored from the swagger-ui-dist npm package: no CDN.
    "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
    "API_SPEC_OPTIONS": {
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        }},
        "security": [{"bearer": []}, {"session": []}],
    },
}


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> ApiBlueprint:
    """An API blueprint: token clients need no CSRF token (``require`` checks it for sessions)."""
    blueprint = ApiBlueprint(name, import_name, url_prefix=f"/api/v1{url_prefix}", description=description)
    csrf.exempt(blueprint)
    return blueprint


def init_app(app, blueprints) -> None:
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
