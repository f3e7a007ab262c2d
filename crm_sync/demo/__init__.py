"""Realistic, deterministic demo data (``manage.py seed_demo``).

It lives in crm_sync because it writes both floors: tracking/attribution rows and CRM deals.
"""
