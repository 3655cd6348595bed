"""System checks for the sources app: settings it cannot work without, checked at start-up."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from sources.fields import fernet


@checks.register(checks.Tags.security)
def check_field_encryption_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every FIELD_ENCRYPTION_KEYS entry must be a Fernet key: a malformed one would only
    surface as a 500 on the first read or write of a confidential identity."""
    try:
        fernet()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="sources.E001")]
    return []
