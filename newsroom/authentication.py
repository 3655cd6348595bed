"""DRF authentication by consumer API token: `Authorization: Bearer <key>`.

Every refused token counts against the caller's address (FailedAuthenticationThrottle), so
guessing keys or replaying a revoked one is throttled like any other traffic.
"""

from rest_framework import authentication, exceptions

from newsroom.api.base import count_failed_authentication
from newsroom.tokens import token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            count_failed_authentication(request)
            raise exceptions.AuthenticationFailed("Give the token as 'Bearer <key>'.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            count_failed_authentication(request)
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = token_authenticate(key)
        if token is None:
            count_failed_authentication(request)
            raise exceptions.AuthenticationFailed(
                "Invalid, expired or revoked token, or one held by a staff account."
            )
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
