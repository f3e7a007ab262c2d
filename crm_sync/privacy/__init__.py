"""Privacy: find everything stored about one person, export it, erase it; retention; consent.

It lives in crm_sync because a person's rows span both floors (contacts, visitors, touches,
conversions, outbox rows and credits in attribution; deals and stage changes here), and only this
floor may read both.
"""
