"""Period presets and the period a comparison is made against. Pure: dates in, dates out."""

from datetime import date, timedelta

LAST_7, LAST_30, LAST_90 = "last_7", "last_30", "last_90"
MONTH_TO_DATE, LAST_MONTH, CUSTOM = "month_to_date", "last_month", "custom"
DEFAULT_PERIOD = LAST_30

PRESETS = [
    (LAST_7, "Last 7 days"),
    (LAST_30, "Last 30 days"),
    (LAST_90, "Last 90 days"),
    (MONTH_TO_DATE, "Month to date"),
    (LAST_MONTH, "Last month"),
    (CUSTOM, "Custom dates"),
]


def preset_range(preset: str, *, today: date) -> tuple[date, date]:
    """The inclusive [start, end] of a preset ending today (last month: the whole previous month)."""
    if preset in (LAST_7, LAST_30, LAST_90):
        days = int(preset.removeprefix("last_"))
        return today - timedelta(days=days - 1), today
    if preset == MONTH_TO_DATE:
        return today.replace(day=1), today
    if preset == LAST_MONTH:
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    raise ValueError(f"{preset!r} is not a preset with its own dates")


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period just before [start, end] and as long as it; a whole calendar month compares with
    the whole month before it (March 1–31 against February 1–28)."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        prev_end = start - timedelta(days=1)
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        prev_start = prev_end.replace(day=1)
        for _ in range(months - 1):
            prev_start = (prev_start - timedelta(days=1)).replace(day=1)
        return prev_start, prev_end
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)
