"""Issue and revoke API tokens: the only code that writes ApiToken rows."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from newsroom.models import ApiToken

# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_key(key: str) -> str:
    """Return the stored form of a token key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def token_issue(*, user, name: str, expires_at: datetime | None = None, created_by=None):
    """Create a token for `user` and return it with its key (shown this once, never stored)."""
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
    """Return the active token for a presented key, noting its use, or None."""
    token = ApiToken.objects.active().select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
