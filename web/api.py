"""The JSON API under /api/v1 (flask-smorest): OpenAPI at /api/openapi.json, docs at /api/docs."""

import threading

from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, fields

from web.access import csrf


class Refusal(Schema):
    """Every 4xx answer of the API (web.errors): what went wrong and which field."""

    code = fields.Str(required=True, metadata={"description": "invalid_input, forbidden, not_found, conflict …"})
    message = fields.Str(required=True)
    field = fields.Str(metadata={"description": "the offending field, when one is to blame"})


class Material(Schema):
    """One material an item asks for, as the window's catalogue and the public guide both list it."""

    code = fields.Str()
    name = fields.Str()
    mandatory = fields.Bool()
    form = fields.Str(metadata={"description": "原件, 复印件, 原件及复印件 or 电子件"})
    count = fields.Int()
    commitment_allowed = fields.Bool(metadata={"description": "may be supplied later on a written commitment (容缺受理)"})
    note = fields.Str()


class OneWindowApi(Api):
    """flask-smorest's Api, documenting the blueprints' views in the spec when it is first read
    (/api/openapi.json, /api/docs, ``flask openapi``) instead of in every create_app, where it was
    nearly half the time (the test suite builds an app per test)."""

    ERROR_SCHEMA = Refusal

    def __init__(self):
        self._undocumented = []
        self._documenting = threading.RLock()  # re-entrant: the doc callbacks are handed the Api
        super().__init__()

    @property
    def spec(self):
        with self._documenting:
            undocumented, self._undocumented = self._undocumented, []
            for blueprint, app, name, parameters in undocumented:
                blueprint.register_views_in_doc(self, app, self._spec, name=name, parameters=parameters)
                self._spec.tag({"name": name, "description": blueprint.description})
        return self._spec

    @spec.setter
    def spec(self, spec):  # init_app starts a new spec
        self._spec, self._undocumented = spec, []

    def register_blueprint(self, blp, *, parameters=None, **options):
        """Api.register_blueprint, the documentation left for the first reading of the spec."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, self._app, name, parameters))


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
