"""Normalization and SHA-256 hashing of identity fields. Pure functions: no Django import.

The rules are TikTok's (and Meta's) for hashed matching: email trimmed and lower-cased; phone in
E.164 with its leading ``+``; external ids trimmed. Raw values never leave these functions.
"""

import hashlib
import re

import phonenumbers

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IdentityError(ValueError):
    """A value that cannot be normalized; the message says what to fix."""


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def is_sha256_hex(value: str) -> bool:
    return bool(_SHA256_HEX.match(value))


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise IdentityError(f"not an email address: {_redact(raw)!r}")
    return email


def normalize_phone(raw: str, *, default_region: str | None = None) -> str:
    """Return the E.164 form (``+4915112345678``); numbers without ``+`` need a default region."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else default_region)
    except phonenumbers.NumberParseException as exc:
        hint = "" if text.startswith("+") or default_region else " (no country code and no region)"
        raise IdentityError(f"not a phone number{hint}: {_redact(raw)!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise IdentityError(f"not a possible phone number: {_redact(raw)!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_external_id(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise IdentityError("external id is empty")
    return value


def hash_email(raw: str) -> str:
    """SHA-256 of the normalized email; an already-hashed value passes through lower-cased."""
    if is_sha256_hex(raw.strip().lower()):
        return raw.strip().lower()
    return sha256_hex(normalize_email(raw))


def hash_phone(raw: str, *, default_region: str | None = None) -> str:
    if is_sha256_hex(raw.strip().lower()):
        return raw.strip().lower()
    return sha256_hex(normalize_phone(raw, default_region=default_region))


def hash_external_id(raw: str) -> str:
    if is_sha256_hex(raw.strip().lower()):
        return raw.strip().lower()
    return sha256_hex(normalize_external_id(raw))


def _redact(raw: str) -> str:
    """Show enough of a bad value to find it in a file, not enough to leak it whole."""
    text = str(raw).strip()
    return text if len(text) <= 4 else text[:2] + "…" + text[-2:]
