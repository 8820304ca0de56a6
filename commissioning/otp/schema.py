"""How the API schema describes commissioning.drf.ApiTokenAuthentication: the same "tokenAuth" scheme as before
(``Authorization: Token <key>``), so clients generated from the schema keep working."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "commissioning.drf.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A key from the API tokens page, sent as "Token <key>" (or "Bearer <key>").',
        }
