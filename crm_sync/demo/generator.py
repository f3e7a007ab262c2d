"""Generates the rows of the demo: people, their devices, journeys, conversions, deals and what the
ad platforms report. No database access here: it yields tuples with explicit ids for ``copy_rows``.

Realism that the dashboard's diagnostics should find:
- cross-device people (one contact, two visitors), repeat buyers, anonymous converters;
- TikTok clicks without ttclid (~12%), UTM naming slips, ad views (view-through);
- pixel + server copies deduplicated by event_id, and a few that were not (different event_ids);
- conversion tags firing on page load (a "conversion" one second after the landing);
- server events delivered days late;
- platform-reported conversions over-counted (pixel firing on page load) and reported under a
  7-day-click / 1-day-view window next to a 28-day-click one;
- visitors who never convert (``non_converting`` per converting person, on average): the
  journeys the data-driven models need besides the converting ones.
"""

import hashlib
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .catalog import FIRST_TOUCH, LATER_TOUCH, OWNERS, PAGES, USER_AGENTS, AdRef

CONTACT_COLS = ["id", "workspace_id", "email_hash", "phone_hash", "external_id_hash",
                "crm_contact_id", "opted_out", "created_at"]
VISITOR_COLS = ["id", "workspace_id", "site_id", "uid", "contact_id", "first_seen_at",
                "last_seen_at"]
TOUCH_COLS = ["id", "workspace_id", "site_id", "visitor_id", "occurred_at", "kind", "channel",
              "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "ttclid",
              "fbclid", "gclid", "landing_url", "referrer", "campaign_id", "adgroup_id", "ad_id",
              "ip_truncated", "user_agent", "touch_key", "created_at"]
CONVERSION_COLS = ["id", "workspace_id", "site_id", "event_name", "event_id", "occurred_at",
                   "value", "currency", "visitor_id", "contact_id", "source", "sources_seen",
                   "duplicates_seen", "ttclid", "ttp", "email_hash", "phone_hash",
                   "external_id_hash", "page_url", "referrer", "ip_truncated", "user_agent",
                   "properties", "external_ref", "received_at", "lookback_from"]
DEAL_COLS = ["id", "workspace_id", "crm", "crm_id", "name", "stage", "pipeline", "amount",
             "currency", "owner", "created_at_crm", "closed_at", "contact_id", "visitor_id",
             "touchpoint_id", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
             "ttclid", "cl_visitor_id", "imported_at", "updated_at"]
STAGE_COLS = ["id", "workspace_id", "deal_id", "from_stage", "to_stage", "changed_at", "source",
              "recorded_at"]

WINDOWS = [(7, 1), (28, 1)]  # the platform's default, and a longer one for window-mismatch views


@dataclass
class Ids:
    contact: int
    visitor: int
    touch: int
    conversion: int
    deal: int
    stage: int


@dataclass
class Batch:
    contacts: list = field(default_factory=list)
    visitors: list = field(default_factory=list)
    touches: list = field(default_factory=list)
    conversions: list = field(default_factory=list)
    deals: list = field(default_factory=list)
    stages: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.conversions)


@dataclass
class Touch:
    id: int
    at: datetime
    kind: str
    channel: str
    ad: AdRef | None
    ttclid: str
    utm: tuple


class DemoGenerator:
    """Yields ``Batch``es of rows until ``conversions`` conversion rows were produced."""

    def __init__(self, *, seed: int, workspace_id: int, site_id: int, start: datetime,
                 end: datetime, ads: dict[str, list[AdRef]], ids: Ids, currency: str = "USD",
                 non_converting: float = 3.0):
        self.rng = random.Random(seed)
        self.non_converting = non_converting
        self.ws, self.site = workspace_id, site_id
        self.start, self.end, self.ids, self.currency = start, end, ids, currency
        self.ads = ads
        self.ad_weights = {p: [a.weight for a in refs] for p, refs in ads.items()}
        self.span = (end - start).total_seconds()
        self.now = end
        # (ad_id, day) → [clicks, {window: [conversions, value]}]
        self.ad_days: dict[tuple[int, object], list] = defaultdict(
            lambda: [0, {w: [0, Decimal(0)] for w in WINDOWS}])
        self.deal_seq = 0

    # --- top level --------------------------------------------------------------------------
    def batches(self, conversions: int, batch_size: int = 2_000):
        produced, batch = 0, Batch()
        while produced < conversions:
            produced += self._person(batch, limit=conversions - produced)
            if len(batch) >= batch_size:
                yield batch
                batch = Batch()
        if len(batch):
            yield batch

    def _new(self, kind: str) -> int:
        value = getattr(self.ids, kind)
        setattr(self.ids, kind, value + 1)
        return value

    # --- a person ---------------------------------------------------------------------------
    def _person(self, batch: Batch, *, limit: int) -> int:
        rng = self.rng
        n = self.ids.contact
        contact_id = None
        email_hash = phone_hash = ""
        if rng.random() < 0.9:  # 10% convert anonymously (no email given)
            contact_id = self._new("contact")
            email_hash = _sha(f"person{n}@example.com")
            phone_hash = _sha(f"+1555{n:07d}") if rng.random() < 0.5 else ""
            batch.contacts.append((contact_id, self.ws, email_hash, phone_hash, "",
                                   f"HSC-{contact_id}" if rng.random() < 0.4 else "", False,
                                   self.start))
        devices = [self._visitor(batch, contact_id) for _ in range(2 if rng.random() < 0.25 else 1)]
        first_at = self.start + timedelta(seconds=rng.random() * self.span)
        made, at = 0, first_at
        for _ in range(2 if rng.random() < 0.12 else 1):
            if made >= limit or at > self.end:
                break
            made += self._journey(batch, devices, contact_id, email_hash, phone_hash, at,
                                  limit=limit - made)
            at = at + timedelta(days=rng.uniform(5, 45))
        whole = int(self.non_converting)
        for _ in range(whole + (rng.random() < self.non_converting - whole)):
            self._browser(batch)
        return made

    def _browser(self, batch: Batch) -> None:
        """A visitor who looks around and never converts: one to a few touches over some days;
        a few gave an email (a newsletter sign-up) and so are a contact."""
        rng = self.rng
        contact_id = None
        if rng.random() < 0.1:
            contact_id = self._new("contact")
            batch.contacts.append((contact_id, self.ws, _sha(f"browser{contact_id}@example.com"), "", "",
                                   "", False, self.start))
        visitor_id, _ = self._visitor(batch, contact_id)
        last = self.start + timedelta(seconds=rng.random() * self.span)
        for i, days_before in enumerate(sorted((rng.expovariate(1 / 4.0) for _ in range(
                min(1 + int(rng.expovariate(1 / 1.2)), 8))), reverse=True)):
            self._touch(batch, visitor_id, last - timedelta(days=days_before), i == 0)

    def _visitor(self, batch: Batch, contact_id) -> tuple[int, uuid.UUID]:
        vid = self._new("visitor")
        uid = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        batch.visitors.append((vid, self.ws, self.site, uid, contact_id, self.start, self.end))
        return vid, uid

    # --- a journey ending in one conversion ------------------------------------------------
    def _journey(self, batch, devices, contact_id, email_hash, phone_hash, at, *, limit) -> int:
        rng = self.rng
        n_touch = min(1 + int(rng.expovariate(1 / 4.3)), 16)
        offsets = sorted((rng.expovariate(1 / 5.0) for _ in range(n_touch)), reverse=True)
        if rng.random() < 0.02:  # a tag that fires on page load: "converts" a second after landing
            offsets[-1] = 1 / 86_400
        touches = []
        for i, days_before in enumerate(offsets):
            visitor_id, _ = devices[rng.randrange(len(devices))] if i < n_touch - 1 else devices[-1]
            touches.append(self._touch(batch, visitor_id, at - timedelta(days=days_before), i == 0))
        visitor_id, uid = devices[-1]
        ua = rng.choice(USER_AGENTS)
        last_ttclid = next((t.ttclid for t in reversed(touches) if t.ttclid), "")
        if rng.random() < 0.62:
            made = self._purchase(batch, at, visitor_id, contact_id, email_hash, phone_hash,
                                  last_ttclid, ua, touches, limit=limit)
        else:
            made = self._lead(batch, at, visitor_id, uid, contact_id, email_hash, phone_hash,
                              last_ttclid, ua, touches, limit=limit)
        return made

    def _touch(self, batch, visitor_id, at, is_first) -> Touch:
        rng = self.rng
        mix = FIRST_TOUCH if is_first else LATER_TOUCH
        channel = rng.choices(list(mix), weights=list(mix.values()))[0]
        kind, ad, ttclid, fbclid, gclid, referrer = "click", None, "", "", "", ""
        utm = ("", "", "", "", "")
        if channel in self.ads:
            ad = rng.choices(self.ads[channel], weights=self.ad_weights[channel])[0]
            if channel in ("tiktok", "meta") and rng.random() < 0.08:
                kind = "view"
            else:
                utm = self._paid_utm(channel, ad)
                if channel == "tiktok" and rng.random() < 0.88:
                    ttclid = f"E.C.P.{rng.getrandbits(96):024x}"
                elif channel == "meta":
                    fbclid = f"IwAR{rng.getrandbits(96):024x}"
                elif channel == "google":
                    gclid = f"Cj0K{rng.getrandbits(96):024x}"
                self.ad_days[(ad.ad_id, at.date())][0] += 1
        elif channel == "email":
            utm = ("newsletter", "email", f"weekly-{at:%Y-%W}", "", "")
        elif channel == "organic_search":
            kind, referrer = "organic", "https://www.google.com/"
        elif channel == "organic_social":
            kind, referrer = "organic", rng.choice(["https://www.instagram.com/",
                                                    "https://www.tiktok.com/", "https://t.co/"])
        else:
            kind = "direct"
        tid = self._new("touch")
        landing = "" if kind == "view" else "https://acme-outdoor.example" + rng.choice(PAGES)
        batch.touches.append((
            tid, self.ws, self.site, visitor_id, at, kind, channel, *utm, ttclid, fbclid, gclid,
            landing, referrer, ad.campaign_id if ad else None, ad.adgroup_id if ad else None,
            ad.ad_id if ad else None, "203.0.113.0", rng.choice(USER_AGENTS), "", at))
        return Touch(tid, at, kind, channel, ad, ttclid, utm)

    def _paid_utm(self, channel: str, ad: AdRef) -> tuple:
        rng = self.rng
        source = {"tiktok": "tiktok", "meta": "facebook", "google": "google"}[channel]
        medium = "cpc" if channel == "google" else "paid_social"
        campaign = ad.campaign_name
        if channel == "tiktok":  # the naming slips a UTM audit should catch
            if rng.random() < 0.04:
                source = rng.choice(["TikTok", "tiktok.com"])
            if rng.random() < 0.06:
                medium = rng.choice(["cpc", "social"])
            if rng.random() < 0.05:
                campaign = campaign.lower().replace(" ", "_")
        return (source, medium, campaign, ad.ad_external_id, "")

    # --- conversions -----------------------------------------------------------------------
    def _conversion(self, batch, *, name, at, value, visitor_id, contact_id, email_hash,
                    phone_hash, ttclid, ua, source, event_id=None, sources=None, dupes=0,
                    external_ref="", received_at=None, lookback_from=None) -> int:
        cid = self._new("conversion")
        batch.conversions.append((
            cid, self.ws, self.site if source != "crm" else None, name,
            event_id or uuid.UUID(int=self.rng.getrandbits(128), version=4).hex, at, value,
            self.currency, visitor_id, contact_id, source, sources or [source], dupes, ttclid,
            "", email_hash, phone_hash, "", "https://acme-outdoor.example/checkout/thanks"
            if source != "crm" else "", "", "203.0.113.0" if source != "crm" else "",
            ua if source != "crm" else "", {}, external_ref, received_at or at, lookback_from))
        return cid

    def _purchase(self, batch, at, visitor_id, contact_id, email_hash, phone_hash, ttclid, ua,
                  touches, *, limit) -> int:
        rng = self.rng
        value = Decimal(f"{min(rng.lognormvariate(4.3, 0.6), 1500):.2f}")
        both = rng.random() < 0.7  # pixel and server both sent it, sharing the event_id
        late = rng.random() < 0.03
        event_id = uuid.UUID(int=rng.getrandbits(128), version=4).hex
        common = dict(at=at, value=value, visitor_id=visitor_id, contact_id=contact_id,
                      email_hash=email_hash, phone_hash=phone_hash, ttclid=ttclid, ua=ua)
        self._conversion(batch, name="CompletePayment", event_id=event_id,
                         source="pixel" if both or rng.random() < 0.5 else "server",
                         sources=["pixel", "server"] if both else None, dupes=1 if both else 0,
                         received_at=at + timedelta(days=rng.uniform(2, 10)) if late else None,
                         **common)
        self._credit_platform(touches, at, value)
        made = 1
        if limit > 1 and rng.random() < 0.03:  # server copy sent with its own id: not deduplicated
            self._conversion(batch, name="CompletePayment", event_id="srv-" + event_id[:24],
                             source="server", **common)
            made += 1
        return made

    def _lead(self, batch, at, visitor_id, uid, contact_id, email_hash, phone_hash, ttclid, ua,
              touches, *, limit) -> int:
        rng = self.rng
        self._conversion(batch, name="SubmitForm", at=at, value=Decimal(0), visitor_id=visitor_id,
                         contact_id=contact_id, email_hash=email_hash, phone_hash=phone_hash,
                         ttclid=ttclid, ua=ua, source="pixel")
        self._credit_platform(touches, at, Decimal(0))
        if contact_id is None or rng.random() > 0.55 or limit < 3:
            return 1
        return 1 + self._deal(batch, at, visitor_id, uid, contact_id, ttclid, touches)

    def _deal(self, batch, at, visitor_id, uid, contact_id, ttclid, touches) -> int:
        rng = self.rng
        self.deal_seq += 1
        deal_id = self._new("deal")
        crm_id = f"{9_000_000_000 + deal_id}"
        amount = Decimal(f"{rng.choice([400, 800, 1500, 3000, 6000]) * rng.uniform(0.8, 1.3):.2f}")
        path = [("appointmentscheduled", at)]
        if rng.random() < 0.6:
            path.append(("qualifiedtobuy", at + timedelta(days=rng.uniform(1, 10))))
            won = rng.random() < 0.5
            path.append(("closedwon" if won else "closedlost",
                         path[-1][1] + timedelta(days=rng.uniform(5, 35))))
        path = [(s, t) for s, t in path if t <= self.now]
        stage, stage_at = path[-1]
        click = next((t for t in reversed(touches) if t.ttclid), None)
        utm = next((t.utm for t in reversed(touches) if t.utm[0]), ("", "", "", "", ""))
        closed = stage_at if stage in ("closedwon", "closedlost") else None
        batch.deals.append((
            deal_id, self.ws, "hubspot", crm_id, f"Outfitting order #{deal_id}", stage, "default",
            amount, self.currency, rng.choice(OWNERS), at, closed, contact_id, visitor_id,
            click.id if click else None, *utm, ttclid, str(uid), self.now, self.now))
        previous, made = "", 0
        for name, when in path:
            batch.stages.append((self._new("stage"), self.ws, deal_id, previous, name, when,
                                 "import", self.now))
            previous = name
            event = {"qualifiedtobuy": "QualifiedLead", "closedwon": "ClosedWon"}.get(name)
            if event:
                self._conversion(batch, name=event, at=when,
                                 value=amount if event == "ClosedWon" else Decimal(0),
                                 visitor_id=visitor_id, contact_id=contact_id, email_hash="",
                                 phone_hash="", ttclid=ttclid, ua="", source="crm",
                                 event_id=f"deal:{crm_id}:{event}", external_ref=crm_id,
                                 lookback_from=at)  # the deal's creation ends its journey
                made += 1
        return made

    # --- what the platforms will claim -------------------------------------------------------
    def _credit_platform(self, touches: list[Touch], at: datetime, value: Decimal) -> None:
        """Each platform claims the conversion for its own last touch inside its window."""
        claimed: set[str] = set()
        for touch in reversed(touches):
            if touch.ad is None or touch.ad.platform in claimed:
                continue
            age = at - touch.at
            for click_days, view_days in WINDOWS:
                limit = timedelta(days=view_days if touch.kind == "view" else click_days)
                if age <= limit:
                    cell = self.ad_days[(touch.ad.ad_id, at.date())][1][(click_days, view_days)]
                    cell[0] += 1
                    cell[1] += value
            claimed.add(touch.ad.platform)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
