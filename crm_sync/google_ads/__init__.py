"""Google Ads: the API's searchStream client (OAuth refresh token, developer token) and its importer."""
