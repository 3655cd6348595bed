"""Model fields owned by the sources app."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold url-safe base64 Fernet keys "
            "(make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        ) from exc


def fernet() -> MultiFernet:
    """Return the cipher for the configured keys (the first encrypts, all decrypt)."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


# Marks a serialised value as a Fernet token, so loading tells it from plaintext written by
# hand (or dumped before values were serialised encrypted) and does not encrypt it twice.
SERIALISED_PREFIX = "fernet:"


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token; the plaintext never reaches the database.

    Encrypted values cannot be searched or filtered on, which is the point: a confidential
    identity must not turn up in search. Empty values are stored as "". Serialised data
    (dumpdata, fixtures) carries the ciphertext, never the plaintext; loading it needs one of
    FIELD_ENCRYPTION_KEYS.
    """

    description = "Text encrypted at rest with Fernet"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return fernet().encrypt(value.encode("utf-8")).decode("ascii")

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return fernet().decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ImproperlyConfigured(
                "A confidential value could not be decrypted with FIELD_ENCRYPTION_KEYS "
                "(was a key removed before re-encrypting?)."
            ) from exc

    def value_to_string(self, obj):
        """Serialise as "fernet:<token>", encrypted with the current key."""
        value = self.value_from_object(obj)
        if value in (None, ""):
            return value
        return SERIALISED_PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(SERIALISED_PREFIX):
            token = value.removeprefix(SERIALISED_PREFIX)
            try:
                return fernet().decrypt(token.encode("ascii")).decode("utf-8")
            except (InvalidToken, UnicodeError):
                raise ValidationError(
                    "This encrypted value cannot be decrypted with FIELD_ENCRYPTION_KEYS "
                    "(was it written with another key?).",
                    code="undecryptable",
                ) from None
        return super().to_python(value)
