"""A workspace with two people, every kind of row each (touches on two devices, web and CRM
conversions with queued outbox rows, a deal with its stage history, attribution output), and a
fake TikTok on loopback to drain the outbox to."""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from attribution.identity.normalize import hash_email, hash_external_id, hash_phone
from attribution.models import EventSource, Visitor
from attribution.runs.services import run_create, run_execute
from attribution.services.conversions import conversion_record
from attribution.services.identity import visitor_identify
from crm_sync.importing.webhook import deals_receive
from crm_sync.models import DealStageRule
from crm_sync.services.outbox_drain import Environment
from crm_sync.tiktok.rate_limit import LocalRateLimiter
from tests.factories import (
    ModelConfigFactory,
    SiteFactory,
    TikTokIntegrationFactory,
    TouchpointFactory,
    VisitorFactory,
)
from tests.fake_tiktok import FakeTikTok

TOKEN = "tt-access-token-for-tests"


@dataclass
class Person:
    email: str
    phone: str
    external_id: str
    ttclid: str
    deal_id: str
    order_id: str
    visitors: list[Visitor]

    def stored_keys(self) -> list[str]:
        """Every value that names this person, as the tables would hold it."""
        uids = [str(v.uid) for v in self.visitors] + [v.uid.hex for v in self.visitors]
        return [hash_email(self.email), hash_phone(self.phone), hash_external_id(self.external_id),
                self.ttclid, self.deal_id, self.order_id, self.email, self.phone, *uids]


def build_person(workspace, site, tag: str, *, phone: str, now) -> Person:
    person = Person(email=f"{tag}.doe@example.com", phone=phone,
                    external_id=f"customer-{tag}", ttclid=f"E.C.P.{tag}-click",
                    deal_id=f"DEAL-{tag.upper()}", order_id=f"order-{tag}", visitors=[])
    phone, laptop = VisitorFactory(workspace=workspace, site=site), \
        VisitorFactory(workspace=workspace, site=site)
    person.visitors = [phone, laptop]
    for visitor, days in ((phone, 6), (laptop, 3)):
        TouchpointFactory(visitor=visitor, site=site, occurred_at=now - timedelta(days=days),
                          ttclid=person.ttclid, utm_campaign="spring_sale",
                          landing_url=f"https://shop.example.com/?ttclid={person.ttclid}&u={tag}",
                          referrer="https://www.tiktok.com/", ip_truncated="203.0.113.0",
                          user_agent=f"Mozilla/5.0 ({tag})")
    keys = {"email_hash": hash_email(person.email), "phone_hash": hash_phone(person.phone),
            "external_id_hash": hash_external_id(person.external_id)}
    contact = visitor_identify(visitor=phone, **keys)
    visitor_identify(visitor=laptop, email_hash=keys["email_hash"])
    conversion_record(workspace=workspace, event_name="CompletePayment", event_id=person.order_id,
                      occurred_at=now - timedelta(days=2), source=EventSource.SERVER,
                      value=Decimal("49.90"), currency="EUR", site=site, visitor=laptop,
                      contact=contact, ttclid=person.ttclid, ip_truncated="203.0.113.0",
                      user_agent=f"Mozilla/5.0 ({tag})", properties={"order_id": person.order_id},
                      page_url=f"https://shop.example.com/thanks?order={person.order_id}", **keys)
    result = deals_receive(workspace=workspace, deals=[{
        "crm_id": person.deal_id, "stage": "closedwon", "amount": "1200", "currency": "EUR",
        "name": f"{tag} Doe – Enterprise", "email": person.email, "ttclid": person.ttclid,
        "cl_visitor_id": str(phone.uid), "created_at": (now - timedelta(days=5)).isoformat(),
        "closed_at": (now - timedelta(days=1)).isoformat()}])
    assert result.rows_failed == 0, result.errors
    return person


@pytest.fixture
def people(workspace):
    """(erased, kept): two people of ``workspace``, attributed, their conversions queued for TikTok."""
    now = timezone.now()
    site = SiteFactory(workspace=workspace)
    TikTokIntegrationFactory(workspace=workspace, access_token=TOKEN)
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                                 uses_amount=True)
    workspace.attributed_event_names = ["CompletePayment", "ClosedWon"]
    workspace.save()
    ModelConfigFactory(workspace=workspace)
    erased = build_person(workspace, site, "jane", phone="+4915112345001", now=now)
    kept = build_person(workspace, site, "john", phone="+4915112345002", now=now)
    run_execute(run=run_create(workspace=workspace))
    return erased, kept


@pytest.fixture
def fake_tiktok(settings):
    with FakeTikTok(token=TOKEN, max_batch=50) as fake:
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TIKTOK_API_BASE": fake.base_url,
                                "TIKTOK_TIMEOUT_SECONDS": 2.0, "TIKTOK_RATE_PER_MINUTE": 600_000}
        yield fake


@pytest.fixture
def drain_env():
    return Environment(sleep=lambda s: None, rng=random.Random(7),
                       limiter=LocalRateLimiter(rate_per_minute=600_000))
