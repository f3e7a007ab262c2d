"""Meta (Facebook/Instagram) ads: the Marketing API's Insights client and its importer."""
