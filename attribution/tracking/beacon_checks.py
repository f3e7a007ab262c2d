"""Checking a beacon against its input serializer's fields without building a serializer.

The collector's serializers (``TouchIn``, ``EventIn``) stay the documented contract; this module
compiles each of them once into a list of small per-field functions. A check either returns the
clean value or raises ``NotForTheFastPath``: it never words an error. The fast path hands any
beacon it refuses to the DRF view, which answers with the serializer's own messages, so the two
paths cannot disagree on what is valid or on how a refusal reads.

Text fields (the bulk of a beacon) get a direct check equivalent to the field's; every other field
runs its own ``run_validation``. A serializer with a ``validate_<field>`` method must say how the
fast path checks that field (``fast_field_checks``); one with object-level ``validate`` is refused.
"""

import decimal
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.core.validators import RegexValidator
from rest_framework import serializers
from rest_framework.fields import empty

from .fields import BeaconTextField, StrictCharField
from .serializers import VisitorIdField


class NotForTheFastPath(Exception):
    """The beacon is not plainly valid; the full DRF view must answer it."""


def _text_check(field: BeaconTextField) -> Callable:
    limit = field.max_length

    def check(value, workspace) -> str:
        if type(value) is not str:
            raise NotForTheFastPath
        value = value.strip()
        if len(value) > limit or "\x00" in value:
            raise NotForTheFastPath
        return value

    return check


def _strict_char_check(field: StrictCharField) -> Callable:
    """``StrictCharField`` as DRF runs it: string, trimmed, not blank, max length, no NUL."""
    limit, allow_blank = field.max_length, field.allow_blank
    if field.min_length is not None or not field.trim_whitespace:
        return _generic_check(field)

    def check(value, workspace) -> str:
        if type(value) is not str:
            raise NotForTheFastPath
        value = value.strip()
        if (not value and not allow_blank) or (limit is not None and len(value) > limit) \
                or "\x00" in value:
            raise NotForTheFastPath
        return value

    return check


def _visitor_id_check(field) -> Callable:
    text = _strict_char_check(field)

    def check(value, workspace) -> uuid.UUID:
        try:
            return uuid.UUID(text(value, workspace))
        except ValueError:
            raise NotForTheFastPath from None

    return check


def _decimal_check(field: serializers.DecimalField) -> Callable:
    """A plain decimal ("19.90", 20) within the field's digits, quantized by the field itself;
    any other value (floats, exponents, signs in odd places, too many digits) runs the field."""
    generic = _generic_check(field)
    if (field.localize or field.validators or field.rounding is not None or field.max_digits is None
            or field.decimal_places is None):
        return generic
    plain = re.compile(rf"-?[0-9]{{1,{field.max_whole_digits}}}(\.[0-9]{{1,{field.decimal_places}}})?")

    def check(value, workspace) -> decimal.Decimal:
        text = value if type(value) is str else str(value) if type(value) is int else None
        if text is None or not plain.fullmatch(text):
            return generic(value, workspace)
        return field.quantize(decimal.Decimal(text))

    return check


def _regex_check(field: serializers.RegexField) -> Callable:
    """A trimmed ASCII string the field's pattern matches; anything else runs the field."""
    generic = _generic_check(field)
    patterns = [v for v in field.validators if isinstance(v, RegexValidator)]
    if (len(patterns) != 1 or patterns[0].inverse_match or not field.trim_whitespace
            or field.max_length is not None or field.min_length is not None):
        return generic
    pattern = patterns[0].regex

    def check(value, workspace) -> str:
        if type(value) is str:
            text = value.strip()
            # ASCII: no surrogates; a match is not blank; no NUL: what the field's validators check
            if text and text.isascii() and "\x00" not in text and pattern.search(text):
                return text
        return generic(value, workspace)

    return check


def _generic_check(field: serializers.Field) -> Callable:
    def check(value, workspace):
        try:
            return field.run_validation(value)
        except serializers.ValidationError:
            raise NotForTheFastPath from None

    return check


@dataclass(frozen=True)
class FieldPlan:
    name: str
    check: Callable  # (raw value, workspace) -> clean value
    required: bool
    default: object  # ``empty``: leave the name out when absent, as DRF does


def _check_for(serializer_class, name: str, field: serializers.Field) -> Callable:
    if type(field) is BeaconTextField:
        check = _text_check(field)
    elif type(field) is VisitorIdField:
        check = _visitor_id_check(field)
    elif type(field) is StrictCharField:
        check = _strict_char_check(field)
    elif type(field) is serializers.DecimalField:
        check = _decimal_check(field)
    elif type(field) is serializers.RegexField:
        check = _regex_check(field)
    else:
        check = _generic_check(field)
    if not hasattr(serializer_class, f"validate_{name}"):
        return check
    extra = serializer_class.fast_field_checks[name]  # KeyError: the fast path would skip a rule

    def checked(value, workspace):
        value = check(value, workspace)
        if not extra(value, workspace):
            raise NotForTheFastPath
        return value

    return checked


@cache
def beacon_plan(serializer_class) -> tuple[FieldPlan, ...]:
    """The serializer's fields as fast checks (built once per class)."""
    if serializer_class.validate is not serializers.Serializer.validate:
        raise TypeError(f"{serializer_class.__name__} has object-level validation; "
                        "the fast path cannot reproduce it")
    plans = []
    for name, field in serializer_class._declared_fields.items():
        if field.read_only or field.source not in (None, name) or field.allow_null:
            raise TypeError(f"{serializer_class.__name__}.{name} is beyond the fast path")
        plans.append(FieldPlan(name, _check_for(serializer_class, name, field), field.required,
                               field.default))
    return tuple(plans)


def beacon_validated(serializer_class, data: dict, *, workspace) -> dict:
    """What ``serializer_class(data=data).validated_data`` would hold; NotForTheFastPath if not
    plainly valid."""
    validated = {}
    for plan in beacon_plan(serializer_class):
        value = data.get(plan.name, empty)
        if value is empty:
            if plan.required:
                raise NotForTheFastPath
            if plan.default is empty:
                continue
            validated[plan.name] = plan.default() if callable(plan.default) else plan.default
        elif value is None:
            raise NotForTheFastPath  # no collector field allows null
        else:
            validated[plan.name] = plan.check(value, workspace)
    return validated
