"""The fictional advertiser: its ad accounts, channels and how people move between them."""

from dataclasses import dataclass

TIKTOK_CAMPAIGNS = {
    "Spark Ads - Creators Q4": (["Gen Z outdoors", "Hikers 25-34", "Lookalike buyers"], 1.4),
    "Prospecting - Broad": (["Broad US", "Interest: camping", "Interest: fitness"], 0.3),
    "Retargeting - Cart": (["Cart 7d", "Viewers 30d"], 2.3),
    "Holiday Gift Guide": (["Gifting", "Parents 35-54", "Broad gifting"], 1.0),
}
META_CAMPAIGNS = {
    "FB Prospecting": (["Lookalike 1%", "Interests outdoor"], 0.9),
    "IG Retargeting": (["Site visitors 14d"], 1.8),
}
GOOGLE_CAMPAIGNS = {
    "Search - Brand": (["Brand exact"], 3.0),
    "Search - Generic": (["Tents", "Backpacks"], 1.1),
    "Performance Max": (["All products"], 0.9),
}
ADS_PER_GROUP = {"tiktok": 3, "meta": 2, "google": 1}
CPC = {"tiktok": 0.55, "meta": 0.85, "google": 1.40}
CLICKS_PER_TRACKED_CLICK = 30  # non-converting traffic the demo does not store as touchpoints

# Channel mix of the first touch of a journey and of the touches after it.
FIRST_TOUCH = {"tiktok": 40, "meta": 18, "organic_social": 10, "organic_search": 12, "google": 10,
               "email": 2, "direct": 8}
LATER_TOUCH = {"tiktok": 26, "meta": 14, "google": 20, "email": 14, "organic_search": 10,
               "organic_social": 4, "direct": 12}

HUBSPOT_STAGES = ["appointmentscheduled", "qualifiedtobuy", "closedwon", "closedlost"]
OWNERS = ["Dana Whitfield", "Marco Ruiz", "Priya Natarajan", "Tom Okafor"]
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
]
PAGES = ["/", "/tents", "/backpacks", "/sale", "/gift-guide", "/p/ultralight-2p-tent",
         "/p/trail-pack-40l"]


@dataclass(frozen=True)
class AdRef:
    """One ad with its parents' ids, as the generator needs it."""

    platform: str
    ad_id: int
    adgroup_id: int
    campaign_id: int
    ad_external_id: str
    campaign_name: str
    weight: float  # how often people click it
    cpc: float  # what a click costs; spend ÷ revenue makes its ROAS
