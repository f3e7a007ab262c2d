"""factory_boy factories for the domain. Build fixtures in a few lines, never hand-built dicts."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from attribution import models as am
from crm_sync import models as cm


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pass-word-123")
    is_staff = True


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"ws-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = am.Role.ADMIN


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Site

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    domains = factory.LazyFunction(lambda: ["shop.example.com"])
    allowed_origins = factory.LazyFunction(lambda: ["https://shop.example.com"])


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Contact

    workspace = factory.SubFactory(WorkspaceFactory)


class VisitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Visitor

    workspace = factory.SubFactory(WorkspaceFactory)
    uid = factory.LazyFunction(uuid.uuid4)


class AdCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.AdCampaign

    workspace = factory.SubFactory(WorkspaceFactory)
    external_id = factory.Sequence(lambda n: f"17{n:08d}")
    name = factory.Sequence(lambda n: f"Campaign {n}")


class AdGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.AdGroup

    campaign = factory.SubFactory(AdCampaignFactory)
    workspace = factory.SelfAttribute("campaign.workspace")
    external_id = factory.Sequence(lambda n: f"18{n:08d}")
    name = factory.Sequence(lambda n: f"Ad group {n}")


class AdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Ad

    adgroup = factory.SubFactory(AdGroupFactory)
    campaign = factory.SelfAttribute("adgroup.campaign")
    workspace = factory.SelfAttribute("adgroup.workspace")
    external_id = factory.Sequence(lambda n: f"19{n:08d}")
    name = factory.Sequence(lambda n: f"Ad {n}")


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Touchpoint

    visitor = factory.SubFactory(VisitorFactory)
    workspace = factory.SelfAttribute("visitor.workspace")
    occurred_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, 12, tzinfo=UTC))
    kind = "click"
    channel = "tiktok"
    utm_source = "tiktok"
    utm_medium = "paid_social"


class ConversionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.ConversionEvent

    workspace = factory.SubFactory(WorkspaceFactory)
    event_name = "CompletePayment"
    event_id = factory.LazyFunction(lambda: uuid.uuid4().hex)
    occurred_at = factory.LazyFunction(lambda: datetime(2026, 11, 2, 12, tzinfo=UTC))
    value = Decimal("100.00")
    currency = "USD"
    source = am.EventSource.SERVER


class ModelConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.AttributionModelConfig

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = am.ModelKind.LAST_CLICK


class TikTokIntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.TikTokIntegration

    workspace = factory.SubFactory(WorkspaceFactory)
    advertiser_id = "7000000000000000001"
    pixel_code = "CPIXEL0000000000TEST"
    event_set_id = "7100000000000000001"
    access_token = "tt-access-token-for-tests"


class MetaAdAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.MetaAdAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    name = "Meta shop"
    ad_account_id = "111"
    access_token = "meta-token"


class GoogleAdsAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.GoogleAdsAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    name = "Google shop"
    customer_id = "1234567890"
    client_id = "client-id.apps.googleusercontent.com"
    client_secret = "client-secret"
    refresh_token = "refresh-token"
    developer_token = "dev-token"
    click_window_days = 30


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Deal

    workspace = factory.SubFactory(WorkspaceFactory)
    crm_id = factory.Sequence(lambda n: f"D-{n:06d}")
    name = factory.Sequence(lambda n: f"Deal {n}")
    stage = "appointmentscheduled"
    amount = Decimal("1000.00")
    currency = "USD"
