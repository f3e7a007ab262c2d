"""The keys a privacy request names a person by. Email, phone and external id are normalized and
hashed on the way in (attribution.identity.normalize): the raw values are never stored or logged."""

import hashlib
import uuid
from dataclasses import dataclass, fields

from attribution.identity.normalize import IdentityError, hash_email, hash_external_id, hash_phone

KEY_FIELDS = ("email", "phone", "external_id", "visitor_id", "ttclid", "deal_id")


class PersonKeyError(ValueError):
    """A key that cannot be used; the message says what to fix (never the whole raw value)."""


@dataclass(frozen=True)
class PersonKeys:
    """A person's keys as they are stored: hashes for email/phone/external id, the others as is."""

    email_hash: str = ""
    phone_hash: str = ""
    external_id_hash: str = ""
    visitor_id: str = ""
    ttclid: str = ""
    deal_id: str = ""

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def hashed_for_log(self) -> list[str]:
        """The keys as the erasure log keeps them: SHA-256 of ``kind:value``, so the log proves
        which request it was without holding a key that could find the person again."""
        return sorted(hashlib.sha256(f"{f.name}:{getattr(self, f.name)}".encode()).hexdigest()
                      for f in fields(self) if getattr(self, f.name))


def person_keys(*, email: str = "", phone: str = "", external_id: str = "", visitor_id: str = "",
                ttclid: str = "", deal_id: str = "", phone_region: str | None = None) -> PersonKeys:
    """Normalize and hash what a privacy request gives; raise ``PersonKeyError`` on a bad value
    or when nothing is given."""
    try:
        keys = PersonKeys(
            email_hash=hash_email(email) if email.strip() else "",
            phone_hash=hash_phone(phone, default_region=phone_region) if phone.strip() else "",
            external_id_hash=hash_external_id(external_id) if external_id.strip() else "",
            visitor_id=_visitor_uid(visitor_id),
            ttclid=ttclid.strip(),
            deal_id=deal_id.strip(),
        )
    except IdentityError as exc:
        raise PersonKeyError(str(exc)) from exc
    if not keys:
        raise PersonKeyError("Name the person by at least one of: " + ", ".join(KEY_FIELDS) + ".")
    return keys


def _visitor_uid(raw: str) -> str:
    if not raw.strip():
        return ""
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError as exc:
        raise PersonKeyError("visitor_id must be the tracker's cl_visitor_id (a UUID).") from exc
