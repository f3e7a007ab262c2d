"""Numbers as people read them: the one place pages, tables, charts and export labels format values.

Counts are integers; credited conversions get one decimal only where a model split them; money
carries its currency symbol; changes carry a sign. Grouping and decimal marks follow the active
Django language (``LocaleMiddleware`` picks it from the browser); currency symbols and their
placement come from Babel (Django has no currency formatting).

Pages put typed values in table rows (``Money``, ``Credited``, ``Change``); ``display`` renders any
cell for the screen and ``csv_value`` keeps it machine-readable for exports (plain numbers, the
currency moved into the column label by ``money_label``).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.utils import formats, timezone, translation

CENT = Decimal("0.01")
DASH = "–"
MINUS = "−"  # U+2212: a sign that reads as one, and does not wrap from its number


def _language() -> str:
    return translation.get_language() or "en-us"


@lru_cache(maxsize=64)
def _babel_locale(language: str) -> Locale:
    """The Babel/CLDR locale of a Django language (en-us → en_US), parsed once."""
    try:
        return Locale.parse(translation.to_locale(language))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en_US")


@lru_cache(maxsize=64)
def _separators(language: str) -> tuple[str, str] | None:
    """(decimal mark, thousands separator) of a language's formats; None when it does not group by
    threes (Django formats those). Read once per language: a table formats thousands of cells."""
    with translation.override(language):
        grouping = formats.get_format("NUMBER_GROUPING")
        if grouping != 3:
            return None
        return formats.get_format("DECIMAL_SEPARATOR"), formats.get_format("THOUSAND_SEPARATOR")


def _grouped(value, decimals: int) -> str:
    """A number rounded (half to even) to ``decimals`` places, grouped per the active locale."""
    quantized = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    marks = _separators(_language())
    if marks is None:
        return formats.number_format(quantized, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{quantized:,.{decimals}f}".translate({ord(","): marks[1], ord("."): marks[0]})


def count(value) -> str:
    """A whole number of things: 3076 → "3,076"."""
    return DASH if value is None else _grouped(value, 0)


def credited(value) -> str:
    """Credited conversions: whole → "1,925"; split by a model → one decimal, "12.5"."""
    if value is None:
        return DASH
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return _grouped(rounded, 0 if rounded == rounded.to_integral_value() else 1)


def money(amount, currency: str) -> str:
    """An amount with its currency's symbol, to the currency's minor unit: "$639,369.05"."""
    if amount is None:
        return DASH
    if not currency:
        return _grouped(amount, 2)
    return format_currency(Decimal(str(amount)), currency, locale=_babel_locale(_language()),
                           currency_digits=True)


def number(value, decimals: int = 2) -> str:
    """A plain ratio or rate (ROAS 2.35)."""
    return DASH if value is None else _grouped(value, decimals)


def percent(share) -> str:
    """A share of a whole: 0.123 → "12.3%"."""
    return DASH if share is None else _grouped(Decimal(str(share)) * 100, 1) + "%"


def change(share) -> str:
    """A relative change with its sign: +12.3%, −4.0%, ±0%; "new" when there was nothing before."""
    if share is None:
        return DASH
    if share == NEW:
        return "new"
    text = percent(abs(share))
    if text in ("0.0%", "0,0%"):
        return "±0%"
    return ("+" if share > 0 else MINUS) + text


NEW = "new"  # a change from nothing: no percentage can say it


def relative_change(current, previous):
    """(current − previous) / previous as a float; NEW when previous is 0 and current is not;
    None when neither is known."""
    if current is None or previous is None:
        return None
    if not previous:
        return NEW if current else 0.0
    return float((Decimal(str(current)) - Decimal(str(previous))) / abs(Decimal(str(previous))))


def when(value) -> str:
    """A moment in the active (workspace) time zone, to the minute."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def money_label(label: str, currency: str) -> str:
    """A money column's label in an export, where cells are plain numbers: "Revenue (USD)"."""
    return f"{label} ({currency})" if currency else label


# --- typed table cells ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    amount: Decimal | None
    currency: str

    def __str__(self) -> str:
        return money(self.amount, self.currency)

    @property
    def csv(self):
        if self.amount is None:
            return ""
        return Decimal(str(self.amount)).quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Credited:
    value: float | None

    def __str__(self) -> str:
        return credited(self.value)

    @property
    def csv(self):
        return "" if self.value is None else round(float(self.value), 4)


@dataclass(frozen=True)
class Percent:
    """A share of a whole, shown "12.3%"; sorts and exports as the number (0.123)."""

    share: float | None

    def __str__(self) -> str:
        return percent(self.share)

    @property
    def csv(self):
        return "" if self.share is None else round(float(self.share), 4)


@dataclass(frozen=True)
class Change:
    """A change against the previous period; ``share`` as from ``relative_change``."""

    share: float | str | None

    def __str__(self) -> str:
        return change(self.share)

    @property
    def csv(self):
        if self.share is None:
            return ""
        return self.share if self.share == NEW else round(self.share, 4)

    @property
    def direction(self) -> str:
        """"up", "down" or "flat": for an arrow beside the sign (never colour alone)."""
        if self.share == NEW or (self.share or 0) > 0.0005:
            return "up"
        return "down" if (self.share or 0) < -0.0005 else "flat"


@dataclass(frozen=True)
class Signed(Credited):
    """A difference of credited conversions, always with its sign: +2.5, −1, ±0."""

    def __str__(self) -> str:
        if self.value is None:
            return DASH
        text = credited(abs(self.value))
        return "±0" if text == "0" else ("+" if self.value > 0 else MINUS) + text


@dataclass(frozen=True)
class SignedMoney(Money):
    """A difference of money, always with its sign: +$12.50, −€3.00, ±$0.00."""

    def __str__(self) -> str:
        if self.amount is None:
            return DASH
        text = money(abs(self.amount), self.currency)
        if not Decimal(str(self.amount)).quantize(CENT, rounding=ROUND_HALF_EVEN):
            return "±" + text
        return ("+" if self.amount > 0 else MINUS) + text


CELLS = (Money, Credited, Change, Percent)  # typed cells: shown formatted, exported and sorted as numbers


def display(value) -> str:
    """Any table cell for the screen."""
    if value is None:
        return DASH
    if isinstance(value, CELLS):
        return str(value)
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return count(value)
    if isinstance(value, float):
        return credited(value)
    if isinstance(value, Decimal):
        return number(value)
    return str(value)


def csv_value(value):
    """Any table cell for a CSV export: numbers stay numbers (no symbols, no grouping)."""
    if value is None:
        return ""
    if isinstance(value, CELLS):
        return value.csv
    return value


def sort_value(value) -> str | None:
    """A number cell's plain value for sorting on the page ("" when empty); None for words."""
    if value is None:
        return ""
    plain = csv_value(value)
    if isinstance(plain, bool) or not isinstance(plain, (int, float, Decimal)):
        return "" if isinstance(value, CELLS) else None
    return str(plain)


def is_text(value) -> bool:
    """Words align left, numbers (amounts, changes, percentages) right."""
    return isinstance(value, str) and not value.endswith("%") and value != DASH
