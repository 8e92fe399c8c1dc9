"""The answers of the platform's API and of the service accounts API, as the OpenAPI document says them."""

from marshmallow import Schema, fields


class ClientToken(Schema):
    access_token = fields.Str(required=True)
    token_type = fields.Str(required=True, metadata={"description": "Bearer"})
    expires_in = fields.Int(required=True, metadata={"description": "seconds"})
    scope = fields.Str(required=True, metadata={"description": "space-separated, e.g. pre_applications:submit"})


class PreApplicationAnswer(Schema):
    id = fields.Int(required=True)
    platform_application_id = fields.Str(required=True)
    item_code = fields.Str(required=True)
    state = fields.Str(required=True, metadata={"description": "pending, registered or rejected"})
    submitted_at = fields.Str(required=True, metadata={"description": "the platform's receipt"})
    notice_due_on = fields.Str(required=True, metadata={
        "description": "the last day for the one-time notice: 5 working days from the receipt (第32条)"})


class ServiceAccountInfo(Schema):
    client_id = fields.Str(required=True)
    name = fields.Str(required=True)
    scopes = fields.List(fields.Str(), required=True)
    active = fields.Bool(required=True)
    created_at = fields.Str(required=True)
    rotated_at = fields.Str(allow_none=True)
    deactivated_at = fields.Str(allow_none=True)


class ServiceAccountSecret(ServiceAccountInfo):
    client_secret = fields.Str(required=True, metadata={"description": "shown this once"})
