"""Serializer fields for incoming tracking data: strict types, bounded times, hashing on arrival."""

import ipaddress
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attribution.identity.normalize import IdentityError, hash_email, hash_external_id, hash_phone


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers, booleans and objects instead of turning them into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string"})
class BeaconTextField(serializers.Field):
    """Text from a beacon: a string, trimmed, at most ``max_length``, no NUL; "" when absent.

    What CharField checks, in one function instead of three validator objects per value: the
    collector validates a dozen of these on every beacon.
    """

    default_error_messages = {
        "invalid": "Must be a string.",
        "max_length": "Ensure this field has no more than {max_length} characters.",
        "null_characters": "Null characters are not allowed.",
    }

    def __init__(self, *, max_length: int = 255, **kwargs):
        kwargs.setdefault("default", "")
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        value = data.strip()
        if len(value) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if "\x00" in value:
            self.fail("null_characters")
        return value

    def to_representation(self, value):
        return value


@extend_schema_field({"oneOf": [{"type": "number", "description": "Unix seconds"},
                               {"type": "string", "format": "date-time"}]})
class EventTimeField(serializers.Field):
    """When it happened: Unix seconds (int/float; milliseconds are recognised) or ISO 8601 with zone.

    Refuses times more than ``EVENT_MAX_FUTURE_SECONDS`` ahead or ``EVENT_MAX_AGE_DAYS`` old.
    """

    default_error_messages = {
        "invalid": "Use Unix seconds or an ISO 8601 time with a zone, e.g. 2026-11-25T12:00:00Z.",
        "future": "Is {seconds:.0f} s in the future; clocks may differ by at most {limit} s.",
        "ancient": "Is older than {days} days; such events are not accepted.",
    }

    def to_internal_value(self, data) -> datetime:
        moment = self._parse(data)
        limits = settings.CLICKLEDGER
        now = timezone.now()
        ahead = (moment - now).total_seconds()
        if ahead > limits["EVENT_MAX_FUTURE_SECONDS"]:
            self.fail("future", seconds=ahead, limit=limits["EVENT_MAX_FUTURE_SECONDS"])
        if moment < now - timedelta(days=limits["EVENT_MAX_AGE_DAYS"]):
            self.fail("ancient", days=limits["EVENT_MAX_AGE_DAYS"])
        return moment

    def _parse(self, data) -> datetime:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int | float):
            seconds = data / 1000 if data > 10**11 else data  # tracker clocks report milliseconds
            try:
                return datetime.fromtimestamp(seconds, tz=UTC)
            except (OverflowError, OSError, ValueError):
                self.fail("invalid")
        if isinstance(data, str):
            try:
                moment = datetime.fromisoformat(data.replace("Z", "+00:00"))
            except ValueError:
                self.fail("invalid")
            if moment.tzinfo is None:
                self.fail("invalid")
            return moment.astimezone(UTC)
        self.fail("invalid")

    def to_representation(self, value):
        return value.isoformat()


class _HashedField(StrictCharField):
    """Accepts a raw value (or its SHA-256) and keeps only the hash: raw values go no further."""

    hasher = staticmethod(hash_external_id)

    def __init__(self, **kwargs):
        kwargs.setdefault("default", "")
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 320)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if not value:
            return ""
        try:
            return self.hasher(value)
        except IdentityError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class HashedEmailField(_HashedField):
    hasher = staticmethod(hash_email)


class HashedPhoneField(_HashedField):
    hasher = staticmethod(hash_phone)


class HashedExternalIdField(_HashedField):
    hasher = staticmethod(hash_external_id)


def truncate_ip(address: str) -> str:
    """IPv4 to its /24, IPv6 to its /48: enough for geography and fraud checks, not a person."""
    octets = address.split(".")
    if len(octets) == 4 and all(o.isdigit() and int(o) < 256 for o in octets):
        return f"{octets[0]}.{octets[1]}.{octets[2]}.0"  # the common case, without ipaddress
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
