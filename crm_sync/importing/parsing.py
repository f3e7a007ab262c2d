"""Parsing the values CRM exports write: amounts, currencies, dates, stage names. Pure functions.

Every parser raises ``ValueError`` with a message a sales-ops person can act on; callers turn it
into a row error. Dates come back timezone-aware in UTC; naive values are read in ``tz``.
"""

import re
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
_CODE = re.compile(r"^[A-Z]{3}$")
# Salesforce multi-currency reports write "USD 12,500.00"; some exports put the code last.
_CODE_AFFIX = re.compile(r"^(?P<pre>[A-Za-z]{3})\s+(?P<a>.+)$|^(?P<b>.+?)\s+(?P<post>[A-Za-z]{3})$")
_POINT_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_COMMA_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_currency(text: str) -> str:
    """ISO 4217 code, upper-cased; empty stays empty."""
    code = text.strip().upper()
    if code and not _CODE.match(code):
        raise ValueError(f"currency {text.strip()!r} is not a 3-letter ISO code (e.g. USD, EUR)")
    return code


def parse_amount(text: str, *, decimal_comma: bool = False) -> tuple[Decimal | None, str]:
    """``"$1,234.50"`` → ``(Decimal("1234.50"), "USD")``; empty → ``(None, "")``.

    With ``decimal_comma`` the European form ``1.234,50`` is expected instead. Thousands separators
    must group by three, so ``1.234,50`` is refused in point mode rather than read as 1.2345.
    """
    raw = text.strip()
    if not raw:
        return None, ""
    currency = ""
    match = _CODE_AFFIX.match(raw)
    if match:
        currency = (match["pre"] or match["post"]).upper()
        raw = (match["a"] or match["b"]).strip()
    for symbol, code in _CURRENCY_SYMBOLS.items():
        if symbol in raw:
            raw = raw.replace(symbol, "")
            currency = currency or code
    number = _SPACES.sub("", raw)
    pattern = _COMMA_NUMBER if decimal_comma else _POINT_NUMBER
    if not pattern.match(number):
        form = "1.234,56" if decimal_comma else "1,234.56"
        raise ValueError(f"amount {text.strip()!r} is not a number like {form}")
    number = number.replace(".", "").replace(",", ".") if decimal_comma else number.replace(",", "")
    try:
        return Decimal(number), currency
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid numbers
        raise ValueError(f"amount {text.strip()!r} is not a number") from exc


_DMY = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[AaPp][Mm])?"
    r"\s*(?P<zone>Z|UTC|GMT)?)?$")
_EPOCH_MS = re.compile(r"^\d{12,13}$")


def parse_datetime(text: str, *, tz: tzinfo, day_first: bool = False) -> datetime | None:
    """A date or date-time as CRM exports write it → aware UTC; empty → None.

    Accepts ISO 8601 (``2026-11-03``, ``2026-11-03 14:22``, ``2026-11-03T14:22:05.000Z``), US
    (``11/3/2026 2:22 PM``), European with ``day_first`` (``03/11/2026 14:22``), dotted German dates
    (``03.11.2026``, always day first) and epoch milliseconds (HubSpot's API). Naive values are
    wall-clock time in ``tz``; a date alone means midnight there.
    """
    raw = text.strip()
    if not raw:
        return None
    return _parse_datetime_cached(raw, tz, day_first)


@lru_cache(maxsize=32768)  # exports repeat the same dates on many rows
def _parse_datetime_cached(raw: str, tz: tzinfo, day_first: bool) -> datetime:
    if _EPOCH_MS.match(raw):
        return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
    value = _from_iso(raw) or _from_numeric(raw, day_first)
    if value is None:
        hint = "31/12/2026" if day_first else "12/31/2026"
        raise ValueError(f"date {raw!r} is not a date like 2026-12-31 or {hint}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def _from_iso(raw: str) -> datetime | None:
    if not (len(raw) >= 10 and raw[4] == "-" and raw[:4].isdigit()):
        return None
    try:
        return datetime.fromisoformat(raw.replace(" UTC", "Z"))
    except ValueError:
        return None


def _from_numeric(raw: str, day_first: bool) -> datetime | None:
    m = _DMY.match(raw)
    if not m:
        return None
    first, second = int(m["a"]), int(m["b"])
    day, month = (first, second) if (day_first or m["sep"] == ".") else (second, first)
    year = int(m["y"])
    year += 2000 if year < 100 else 0
    hour, minute, sec = int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["ampm"].lower() == "pm" else 0)
    try:
        value = datetime(year, month, day, hour, minute, sec)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if m["zone"] else value


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=4096)  # a file has a handful of stages, compared several times per row
def stage_key(stage: str) -> str:
    """How stages compare: ``"Closed Won"``, ``"closedwon"`` and ``"CLOSED_WON"`` are one stage."""
    return _NOT_ALNUM.sub("", stage.lower())


def header_key(header: str) -> str:
    """How column headers compare: case, spaces and punctuation do not matter."""
    return _NOT_ALNUM.sub("", header.lower())
