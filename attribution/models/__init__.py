from .ad_accounts import (
    AdCsvMapping,
    GoogleAdsAccount,
    MetaAdAccount,
    PlatformImport,
    PlatformImportStatus,
)
from .ads import Ad, AdCampaign, AdGroup, MetricLevel, PlatformDailyMetric
from .conversions import ConversionEvent, EventSource
from .fits import AttributionModelFit, FitStatus
from .paths import (
    ConversionPath,
    CustomerValueRollup,
    PathLagRollup,
    PathLevel,
    PathRollup,
    PathSignature,
    PathStepRollup,
)
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
    "Ad", "AdCampaign", "AdCsvMapping", "AdGroup", "AttributionCredit", "AttributionModelConfig",
    "AttributionModelFit", "AttributionRollup", "AttributionRun", "AttributionRunChunk", "ChannelRule",
    "ChunkStatus", "Contact", "ConversionEvent", "ConversionPath", "CustomerValueRollup", "EventSource",
    "FitStatus", "GoogleAdsAccount", "LookbackWindow", "Membership", "MetaAdAccount", "MetricLevel",
    "ModelKind", "OutboxEntry", "OutboxStatus", "PathLagRollup", "PathLevel", "PathRollup",
    "PathSignature", "PathStepRollup", "PlatformDailyMetric", "PlatformImport", "PlatformImportStatus",
    "Role", "RuleField", "RunStatus", "Site", "SiteSecretKey", "TikTokEventSource", "TikTokIntegration",
    "Touchpoint", "Visitor", "Workspace",
]
