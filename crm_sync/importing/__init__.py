"""Importing CRM deals from CSV exports, the REST API and webhooks.

Layers, bottom up: ``parsing`` (pure: amounts, dates, stages), ``presets`` (column names of the
HubSpot and Salesforce exports), ``reader`` (streaming CSV records), ``rows`` (a record → a parsed
row or its errors), ``linking`` (a batch's visitors and clicks), ``batch`` (one batch → deals,
stage history, and through ``attribution.services`` contacts, conversions and outbox rows),
``services`` (a whole file, in one transaction), ``preview``, ``webhook``, ``tasks`` (Celery),
``selectors`` (live progress) and ``views`` (REST).
"""
