"""The channel and touch-kind vocabularies shared by tracking, the engine and the dashboard."""

from django.db import models


class Channel(models.TextChoices):
    TIKTOK = "tiktok", "TikTok"
    META = "meta", "Meta"
    GOOGLE = "google", "Google Ads"
    LINKEDIN = "linkedin", "LinkedIn Ads"
    SNAPCHAT = "snapchat", "Snapchat Ads"
    PINTEREST = "pinterest", "Pinterest Ads"
    MICROSOFT = "microsoft", "Microsoft Ads"
    EMAIL = "email", "Email"
    ORGANIC_SEARCH = "organic_search", "Organic search"
    ORGANIC_SOCIAL = "organic_social", "Organic social"
    REFERRAL = "referral", "Referral"
    DIRECT = "direct", "Direct"
    OTHER = "other", "Other"


class TouchKind(models.TextChoices):
    CLICK = "click", "Click"
    VIEW = "view", "View"
    ORGANIC = "organic", "Organic"
    DIRECT = "direct", "Direct"


class Platform(models.TextChoices):
    """An ad platform whose spend we import; each value is also the channel its touches get."""

    TIKTOK = "tiktok", "TikTok"
    META = "meta", "Meta"
    GOOGLE = "google", "Google Ads"
    LINKEDIN = "linkedin", "LinkedIn Ads"
    SNAPCHAT = "snapchat", "Snapchat Ads"
    PINTEREST = "pinterest", "Pinterest Ads"
    MICROSOFT = "microsoft", "Microsoft Ads"
