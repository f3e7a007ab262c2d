"""Importing CRM deals from CSV exports, the REST API and webhooks.

Layers, bottom up: ``parsing`` (pure: amounts, dates, stages), ``presets`` (column names of the
HubSpot and Salesforce exports), ``reader`` (streaming CSV records), ``rows`` (a record → a parsed
row or its errors), ``lookups`` (set-based SQL; writes through ``attribution.bulk``), ``linking`` and
``stage_conversions`` (bulk identity linking, CRM-stage conversions with outbox rows), ``batch``
(one batch → deals, stage history, conversions), ``services`` (a whole file, in one transaction),
``preview``, ``webhook``, ``tasks`` (Celery), ``selectors`` (live progress) and ``views`` (REST).
"""
