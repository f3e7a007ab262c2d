"""Identity normalization + SHA-256, checked against known vectors."""

import pytest

from attribution.identity.normalize import (
    IdentityError,
    hash_email,
    hash_phone,
    normalize_email,
    normalize_phone,
)

TEST_AT_EXAMPLE = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
PLUS_15551234567 = "8a59780bb8cd2ba022bfa5ba2ea3b6e07af17a7d8b30c1f9b3390e36f69019e4"


@pytest.mark.parametrize("raw", ["test@example.com", "  Test@Example.COM ", "TEST@EXAMPLE.COM\n"])
def test_email_is_trimmed_lowercased_then_hashed(raw):
    assert hash_email(raw) == TEST_AT_EXAMPLE


@pytest.mark.parametrize("raw,region", [("+1 (555) 123-4567", None), ("555-123-4567", "US"),
                                         ("+1.555.123.4567", "DE")])
def test_phone_becomes_e164_then_hashed(raw, region):
    assert hash_phone(raw, default_region=region) == PLUS_15551234567


def test_national_number_uses_the_default_region():
    assert normalize_phone("0151 12345678", default_region="DE") == "+4915112345678"


def test_an_already_hashed_value_passes_through():
    assert hash_email(TEST_AT_EXAMPLE.upper()) == TEST_AT_EXAMPLE


@pytest.mark.parametrize("bad", ["", "no-at-sign", "a@b", "two@@example.com"])
def test_bad_email_is_refused_with_a_message(bad):
    with pytest.raises(IdentityError, match="not an email"):
        normalize_email(bad)


def test_bad_phone_is_refused_and_the_message_does_not_leak_the_number():
    with pytest.raises(IdentityError) as err:
        normalize_phone("12345678901234567890")
    assert "12345678901234567890" not in str(err.value)
