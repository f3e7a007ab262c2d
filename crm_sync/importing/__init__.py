"""Importing CRM deals from CSV exports, the REST API and webhooks.

Layers, bottom up: ``parsing`` (pure: amounts, dates, stages), ``presets`` (column names of the
HubSpot and Salesforce exports), ``reader`` (streaming CSV → parsed rows and row errors),
``linking`` and ``stage_conversions`` (bulk identity linking and CRM-stage conversions),
``batch`` (one batch of rows → deals, stage history, conversions) and ``services`` (a whole file).
"""
