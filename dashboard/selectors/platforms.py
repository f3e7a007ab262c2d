"""Which ad platforms a workspace's pages offer: the three we read by API, and any other it imported."""

from attribution.channels import Platform
from attribution.models import PlatformDailyMetric, Workspace

ALWAYS = (Platform.TIKTOK, Platform.META, Platform.GOOGLE)


def platform_choices(*, workspace: Workspace) -> list[tuple[str, str]]:
    """[(platform, label)]: TikTok, Meta and Google Ads, then other platforms with imported days (1 query)."""
    imported = set(PlatformDailyMetric.objects.filter(workspace=workspace)
                   .values_list("platform", flat=True).distinct().order_by())
    chosen = [*ALWAYS, *(p for p in Platform if p not in ALWAYS and p.value in imported)]
    return [(p.value, p.label) for p in chosen]


def platform_of(params) -> Platform:
    """The page's ``platform`` parameter, or TikTok when it is missing or unknown."""
    value = str(params.get("platform") or "")
    return Platform(value) if value in Platform.values else Platform.TIKTOK
