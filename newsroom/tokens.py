"""Issue and revoke API tokens: the only code that writes ApiToken rows."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from newsroom import roles
from newsroom.models import ApiToken
from newsroom.postgresql import prepared_statements

# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_key(key: str) -> str:
    """Return the stored form of a token key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


STAFF_REFUSED = (
    "API tokens are for consumer accounts only; staff and superusers use the API with their "
    "admin session (a token is a long-lived bearer credential that skips CSRF)."
)


def may_hold_token(user) -> bool:
    """Return whether `user` may hold an API token: consumers may, staff and superusers not."""
    return not (user.is_staff or user.is_superuser)


@transaction.atomic
def token_issue(*, user, name: str, expires_at: datetime | None = None, created_by=None):
    """Create a token for `user` and return it with its key (shown this once, never stored).

    Refuses staff and superusers (`may_hold_token`).
    """
    if not may_hold_token(user):
        raise ValidationError({"user": STAFF_REFUSED})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        key_prefix=key[:8],
        key_hash=hash_key(key),
        expires_at=expires_at,
        created_by=created_by,
    )
    return token, key


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(key: str) -> ApiToken | None:
    """Return the active token for a presented key, noting its use, or None.

    A token whose user has since become staff or superuser no longer authenticates. Whether
    the user is an API consumer comes with the token, in its query (`roles.is_api_consumer`).
    """
    consumer = Group.objects.filter(user=OuterRef("user_id"), name=roles.API_CONSUMERS)
    with prepared_statements():  # one row by a unique key: the same plan for every key
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=hash_key(key))
            .annotate(user_is_consumer=Exists(consumer))
            .first()
        )
    if token is None or not token.user.is_active or not may_hold_token(token.user):
        return None
    roles.note_api_consumer(token.user, token.user_is_consumer)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
