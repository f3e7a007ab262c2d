"""Template filters over ``dashboard.formatting``: templates format numbers the way tables do."""

from django import template

from dashboard import formatting

register = template.Library()


@register.filter
def money(amount, currency):
    """{{ amount|money:"EUR" }} → "€1,234.50"."""
    return formatting.money(amount, currency)


@register.filter
def credited_count(value):
    """{{ conversions|credited_count }} → "1,925" or "12.5"."""
    return formatting.credited(value)


@register.filter
def count(value):
    return formatting.count(value)


@register.filter
def percent(value):
    return formatting.percent(value)


@register.filter
def days_list(days, limit: int = 5):
    """Dates as "2026-11-01, 2026-11-02 and 3 more"."""
    days = sorted(set(days))
    shown = ", ".join(d.isoformat() for d in days[:limit])
    return shown + (f" and {len(days) - limit} more" if len(days) > limit else "")
