"""A touch's ad and campaign, from the conventions its links follow, within its channel's platform.

``utm_content`` carries the platform's ad id and ``utm_campaign`` its campaign id (TikTok's
``__CID__``-style macros, Meta's ``{{ad.id}}``/``{{campaign.id}}``, Google's ``{creative}``/
``{campaignid}`` ValueTrack parameters). An ad id found resolves ad, ad group and campaign; else a
campaign id found resolves the campaign alone. Ids are looked up on the touch's own platform only:
the same digits on two platforms are two different ads.
"""

from collections.abc import Iterable

from attribution.channels import Platform
from attribution.models import Ad, AdCampaign

Link = tuple[int | None, int | None, int | None]  # (ad, ad group, campaign)
NO_LINK: Link = (None, None, None)


def ad_links(*, workspace_id: int,
             touches: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Link]:
    """(channel, utm_content, utm_campaign) → (ad id, ad group id, campaign id) (2 queries at most).

    Touches that resolve to nothing are left out of the answer.
    """
    wanted = {t for t in touches if t[0] in Platform.values and (t[1] or t[2])}
    if not wanted:
        return {}
    ad_ids = {content for _, content, _ in wanted if content}
    ads = {}
    if ad_ids:
        ads = {(platform, ext): (pk, group, campaign) for platform, ext, pk, group, campaign in
               Ad.objects.filter(workspace_id=workspace_id, platform__in={t[0] for t in wanted},
                                 external_id__in=ad_ids)
               .values_list("platform", "external_id", "id", "adgroup_id", "campaign_id")}
    campaign_ids = {campaign for channel, content, campaign in wanted
                    if campaign and (channel, content) not in ads}
    campaigns = {}
    if campaign_ids:
        campaigns = {(platform, ext): pk for platform, ext, pk in
                     AdCampaign.objects.filter(workspace_id=workspace_id, platform__in={t[0] for t in wanted},
                                               external_id__in=campaign_ids)
                     .values_list("platform", "external_id", "id")}
    links = {}
    for channel, content, campaign in wanted:
        if (channel, content) in ads:
            links[(channel, content, campaign)] = ads[(channel, content)]
        elif (channel, campaign) in campaigns:
            links[(channel, content, campaign)] = (None, None, campaigns[(channel, campaign)])
    return links
