from cryptography.fernet import Fernet

from sources.checks import check_field_encryption_keys


def test_malformed_encryption_keys_fail_the_system_check(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "not-a-fernet-key"]

    errors = check_field_encryption_keys()

    assert [error.id for error in errors] == ["sources.E001"]
    assert "url-safe base64 Fernet keys" in errors[0].msg


def test_good_keys_pass(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    assert check_field_encryption_keys() == []
