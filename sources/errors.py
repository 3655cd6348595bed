"""Validation errors as (field, messages) pairs: the one flattening that the API's 400 bodies,
the admin's messages and the importer's one-line errors all start from."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def field_messages(error: ValidationError) -> list[tuple[str | None, list[str]]]:
    """Return each field's messages, in order; None names errors that belong to no field."""
    if not hasattr(error, "error_dict"):
        return [(None, error.messages)]
    return [
        (None if field == NON_FIELD_ERRORS else field, messages)
        for field, messages in error.message_dict.items()
    ]
