"""Input and output serializers of the collector (browser) and the server-side events API.

Identity fields are hashed while validating: ``validated_data`` never holds a raw email or phone.
Event names are checked against the workspace passed in the serializer context.
"""

import copy
import uuid

from rest_framework import serializers

from .event_names import is_accepted_event_name
from .fields import (
    BeaconTextField,
    EventTimeField,
    HashedEmailField,
    HashedExternalIdField,
    HashedPhoneField,
    StrictCharField,
)

MAX_PROPERTIES = 50


def _text(max_length: int = 255, **kwargs) -> BeaconTextField:
    return BeaconTextField(max_length=max_length, **kwargs)


class FastFieldsMixin:
    """Copy declared fields shallowly per instance instead of DRF's deepcopy.

    DRF deep-copies every declared field for every serializer instance; for the collector's flat
    serializers (no nested serializers, no mutable per-instance state) a shallow copy is enough
    and is several times cheaper on a path that runs for every beacon.
    """

    def get_fields(self):
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class VisitorIdField(StrictCharField):
    default_error_messages = {"invalid_uuid": "Must be the tracker's visitor id (a UUID)."}

    def to_internal_value(self, data) -> uuid.UUID:
        text = super().to_internal_value(data)
        try:
            return uuid.UUID(text)
        except ValueError:
            self.fail("invalid_uuid")


class PropertiesField(serializers.DictField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > MAX_PROPERTIES:
            raise serializers.ValidationError(f"At most {MAX_PROPERTIES} properties.")
        return value


class _EventNameMixin:
    # How the collector's fast path (``beacon_checks``) applies ``validate_event``.
    fast_field_checks = {"event": is_accepted_event_name}

    def validate_event(self, value: str) -> str:
        if not is_accepted_event_name(value, self.context["workspace"]):
            raise serializers.ValidationError(
                f"Unknown event name {value!r}. Use a TikTok standard event (e.g. SubmitForm, "
                "CompletePayment), a CRM stage (e.g. QualifiedLead, ClosedWon) or add it to the "
                "workspace's attributed event names.")
        return value


class CollectorIn(FastFieldsMixin, serializers.Serializer):
    """Fields every tracker call carries. ``key`` may also come as header or ``?k=``."""

    key = _text(64)
    visitor_id = VisitorIdField()
    consent = serializers.BooleanField(required=False, default=False)


class TouchIn(CollectorIn):
    touch_key = StrictCharField(max_length=64, help_text="Random id of this touch; resends are stored once.")
    utm_source = _text()
    utm_medium = _text()
    utm_campaign = _text()
    utm_content = _text()
    utm_term = _text()
    ttclid = _text()
    fbclid = _text()
    gclid = _text()
    landing_url = _text(2048)
    referrer = _text(2048)
    time = EventTimeField(required=False)


class EventIn(_EventNameMixin, CollectorIn):
    event = StrictCharField(max_length=64)
    event_id = StrictCharField(max_length=128, help_text="Shared with the TikTok pixel for dedup.")
    time = EventTimeField(required=False)
    value = serializers.DecimalField(max_digits=16, decimal_places=4, required=False, default=0)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, default="",
                                      error_messages={"invalid": "Use an ISO 4217 code like USD."})
    properties = PropertiesField(required=False, default=dict)
    page_url = _text(2048)
    referrer = _text(2048)
    ttclid = _text()
    ttp = _text()


class IdentifyIn(CollectorIn):
    email = HashedEmailField()
    phone = HashedPhoneField()
    external_id = HashedExternalIdField()

    def validate(self, attrs):
        if not (attrs.get("email") or attrs.get("phone") or attrs.get("external_id")):
            raise serializers.ValidationError("Give at least one of email, phone, external_id.")
        return attrs


class ConsentIn(CollectorIn):
    opt_out = serializers.BooleanField(
        default=True, help_text="The visitor withdrew consent: the person is never synced again.")


class AcceptedOut(serializers.Serializer):
    accepted = serializers.BooleanField()


# --- server-side events API ----------------------------------------------------------------------


class ServerUserIn(serializers.Serializer):
    email = HashedEmailField(help_text="Raw or SHA-256; normalized and hashed on arrival.")
    phone = HashedPhoneField(help_text="E.164 (with +) or SHA-256; hashed on arrival.")
    external_id = HashedExternalIdField()
    ttclid = _text()
    ttp = _text()
    ip = serializers.IPAddressField(required=False, default="")
    user_agent = _text(1024)
    opt_out = serializers.BooleanField(
        required=False, default=False,
        help_text="The person opted out of data sharing: this and every later conversion of "
                  "theirs is stored and attributed, never sent to an ad platform.")


class ServerPageIn(serializers.Serializer):
    url = _text(2048)
    referrer = _text(2048)


class ServerEventIn(_EventNameMixin, serializers.Serializer):
    event = StrictCharField(max_length=64)
    event_id = StrictCharField(max_length=128)
    event_time = EventTimeField(required=False, help_text="Unix seconds or ISO 8601; default: now.")
    value = serializers.DecimalField(max_digits=16, decimal_places=4, required=False, default=0)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, default="",
                                      error_messages={"invalid": "Use an ISO 4217 code like USD."})
    visitor_id = VisitorIdField(required=False, help_text="cl_visitor_id from the form's hidden field.")
    user = ServerUserIn(required=False)
    properties = PropertiesField(required=False, default=dict)
    page = ServerPageIn(required=False)


class ServerBatchIn(serializers.Serializer):
    data = serializers.ListField(child=serializers.DictField(), allow_empty=False)


class ServerEventResultOut(serializers.Serializer):
    event_id = serializers.CharField()
    event = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "duplicate"])


class ServerBatchOut(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    results = ServerEventResultOut(many=True)
