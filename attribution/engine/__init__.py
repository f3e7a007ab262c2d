"""The attribution engine: pure numpy functions over flat arrays. No Django, no settings.

``journeys.build_journeys`` pairs each conversion with its eligible touches; each model module turns
those pairs into per-touch weights; ``revenue`` splits values exactly; ``rollup`` aggregates.
``pipeline.attribute`` runs all of it for a batch.
"""
