"""TikTok's own numbers: the reporting API client, the Ads Manager CSV import, and their shared upsert."""
