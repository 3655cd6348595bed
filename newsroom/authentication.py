"""DRF authentication by consumer API token: `Authorization: Bearer <key>`."""

from rest_framework import authentication, exceptions

from newsroom.tokens import token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the token as 'Bearer <key>'.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "Invalid, expired or revoked token, or one held by a staff account."
            )
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
