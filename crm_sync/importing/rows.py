"""One CSV record (or webhook object) → a parsed deal row, or the list of what is wrong with it.

Pure: no Django. ``RowSpec`` carries everything a row needs to be read the same way by the CSV
import and by the webhook.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import lru_cache

from attribution.identity.normalize import IdentityError, hash_email, hash_phone

from .parsing import parse_amount, parse_currency, parse_datetime, stage_key
from .presets import Preset

_TEXT_LIMITS = {"name": 255, "pipeline": 100, "owner": 255, "crm_contact_id": 64,
                "utm_source": 255, "utm_medium": 255, "utm_campaign": 255, "utm_content": 255,
                "utm_term": 255, "ttclid": 255, "cl_visitor_id": 64}


@dataclass(frozen=True)
class RowSpec:
    preset: Preset
    tz: tzinfo
    day_first: bool = False
    decimal_comma: bool = False
    default_currency: str = "USD"
    phone_region: str | None = None
    # stage_key → stored stage; None: any stage is accepted as written.
    known_stages: dict[str, str] | None = None


@dataclass(slots=True)
class DealRow:
    """A good row. ``present`` names the fields the source carried: others keep stored values."""

    row_number: int
    crm_id: str
    stage: str
    present: frozenset[str]
    name: str = ""
    pipeline: str = ""
    amount: Decimal | None = None
    currency: str = ""
    owner: str = ""
    created_at: datetime | None = None
    closed_at: datetime | None = None
    stage_changed_at: datetime | None = None
    email_hash: str = ""
    phone_hash: str = ""
    crm_contact_id: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""
    ttclid: str = ""
    cl_visitor_id: str = ""
    # cl_visitor_id in the canonical UUID form, or "" when it is none: a string crosses from the
    # parsing process to the importing one at a fraction of a UUID object's pickling cost.
    visitor_uid: str = ""
    opt_out: bool = False  # the person opted out: their contact is never synced again


@dataclass(frozen=True, slots=True)
class RowError:
    row_number: int
    crm_id: str
    field: str
    message: str


@dataclass
class _Collector:
    row_number: int
    crm_id: str = ""
    errors: list[RowError] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.row_number, self.crm_id, name, message))


def row_parse(values: dict[str, str], *, row_number: int, spec: RowSpec) -> DealRow | list[RowError]:
    """Read one record (our field → raw text). Returns the row, or every error it has."""
    crm_id = values.get("crm_id", "").strip()
    problems = _Collector(row_number, crm_id)
    if not crm_id:
        problems.add("crm_id", "missing deal id")
    elif len(crm_id) > 64:
        problems.add("crm_id", "deal id is longer than 64 characters")
    stage = _stage(values.get("stage", ""), spec, problems)
    row = DealRow(row_number=row_number, crm_id=crm_id, stage=stage, present=frozenset(values))
    for name, limit in _TEXT_LIMITS.items():
        if name in values:
            setattr(row, name, values[name].strip()[:limit])
    _amount(values, spec, row, problems)
    for name in ("created_at", "closed_at", "stage_changed_at"):
        if values.get(name):
            try:
                setattr(row, name, parse_datetime(values[name], tz=spec.tz, day_first=spec.day_first))
            except ValueError as exc:
                problems.add(name, str(exc))
    _identity(values, spec, row, problems)
    if values.get("opt_out", "").strip():
        row.opt_out = _yes_no(values["opt_out"], problems)
    if row.cl_visitor_id:
        row.visitor_uid = _canonical_uuid(row.cl_visitor_id)
    return problems.errors or row


def _stage(raw: str, spec: RowSpec, problems: _Collector) -> str:
    text = raw.strip()
    if not text:
        problems.add("stage", "missing stage")
        return ""
    if spec.known_stages is None:
        return text[:100]
    stored = spec.known_stages.get(stage_key(text))
    if stored is None:
        problems.add("stage", f"unknown stage {text!r}; add it to the workspace's stage rules or "
                              f"the import's extra stages")
        return ""
    return stored


def _amount(values: dict[str, str], spec: RowSpec, row: DealRow, problems: _Collector) -> None:
    currency = ""
    if values.get("amount"):
        try:
            row.amount, currency = parse_amount(values["amount"], decimal_comma=spec.decimal_comma)
        except ValueError as exc:
            problems.add("amount", str(exc))
        if row.amount is not None and abs(row.amount) >= Decimal("1e12"):
            problems.add("amount", "amount is larger than 999,999,999,999")
    if values.get("currency"):
        try:
            currency = parse_currency(values["currency"])
        except ValueError as exc:
            problems.add("currency", str(exc))
    row.currency = currency or spec.default_currency


def _identity(values: dict[str, str], spec: RowSpec, row: DealRow, problems: _Collector) -> None:
    if values.get("email", "").strip():
        try:
            row.email_hash = hash_email(values["email"])
        except IdentityError as exc:
            problems.add("email", str(exc))
    if values.get("phone", "").strip():
        try:
            row.phone_hash = _hash_phone(values["phone"].strip(), spec.phone_region)
        except IdentityError as exc:
            problems.add("phone", str(exc))


_YES = {"true", "yes", "y", "1", "x", "ja", "oui", "si", "opted out", "opt out", "unsubscribed"}
_NO = {"false", "no", "n", "0", "nein", "non", "opted in", "subscribed"}


def _yes_no(raw: str, problems: _Collector) -> bool:
    text = raw.strip().lower()
    if text in _YES:
        return True
    if text not in _NO:
        problems.add("opt_out", f"not a yes/no value: {raw.strip()[:20]!r} (use true/false, yes/no, 1/0)")
    return False


@lru_cache(maxsize=65536)  # a contact's phone repeats on each of their deals; parsing is slow
def _hash_phone(raw: str, region: str | None) -> str:
    return hash_phone(raw, default_region=region)


def _canonical_uuid(text: str) -> str:
    """A hidden field can hold anything; only a real visitor id links (no error: the deal stays)."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return ""
