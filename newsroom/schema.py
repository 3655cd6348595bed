"""OpenAPI descriptions drf-spectacular cannot infer: our bearer-token authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "newsroom.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A consumer token issued in the admin: `Authorization: Bearer <key>`.",
        }
