from .ad_accounts import (
    AdCsvMapping,
    GoogleAdsAccount,
    MetaAdAccount,
    PlatformImport,
    PlatformImportStatus,
)
from .ads import Ad, AdCampaign, AdGroup, MetricLevel, PlatformDailyMetric
from .conversions import ConversionEvent, EventSource
from .runs import (
    AttributionCredit,
    AttributionModelConfig,
    AttributionRollup,
    AttributionRun,
    AttributionRunChunk,
    ChunkStatus,
    LookbackWindow,
    ModelKind,
    RunStatus,
)
from .sync import OutboxEntry, OutboxStatus, TikTokEventSource, TikTokIntegration
from .tracking import ChannelRule, Contact, RuleField, Touchpoint, Visitor
from .workspace import Membership, Role, Site, SiteSecretKey, Workspace

__all__ = [
    "Ad", "AdCampaign", "AdCsvMapping", "GoogleAdsAccount", "MetaAdAccount", "PlatformImport",
    "PlatformImportStatus", "AdGroup", "AttributionCredit", "AttributionModelConfig",
    "AttributionRollup", "AttributionRun", "AttributionRunChunk", "ChannelRule", "ChunkStatus",
    "Contact", "ConversionEvent",
    "EventSource", "LookbackWindow", "RuleField", "Membership", "MetricLevel", "ModelKind", "OutboxEntry",
    "OutboxStatus", "PlatformDailyMetric", "Role", "RunStatus", "Site", "SiteSecretKey",
    "TikTokEventSource", "TikTokIntegration", "Touchpoint", "Visitor", "Workspace",
]
