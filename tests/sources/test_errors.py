from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from sources.errors import field_messages


def test_field_errors_keep_their_fields_and_order():
    error = ValidationError({"exact": ["Not found."], NON_FIELD_ERRORS: ["Duplicate."]})

    assert field_messages(error) == [("exact", ["Not found."]), (None, ["Duplicate."])]


def test_an_error_without_fields_belongs_to_none():
    assert field_messages(ValidationError(["One.", "Two."])) == [(None, ["One.", "Two."])]
