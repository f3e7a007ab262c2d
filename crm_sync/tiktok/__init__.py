"""TikTok platform clients: the Events API (conversions out) and its helpers.

``payload``, ``replies`` and ``backoff`` are pure functions (no Django, no I/O); ``client`` speaks
HTTP through httpx; ``rate_limit`` coordinates workers through Redis.
"""
