"""Journey figure: the touches before a conversion, and the credit each model gave each touch."""

from dashboard.selectors.journeys import JourneyConversion

from . import empty_figure, figure, to_div


def credit_per_touch_spec(conversion: JourneyConversion, models: list) -> dict:
    title = f"{conversion.event_name} {conversion.occurred_at:%Y-%m-%d %H:%M}: credit per touch"
    if not conversion.touches:
        return empty_figure(title, "No touch before this conversion.")
    labels = [f"{i + 1}. {t.channel} {t.occurred_at:%m-%d %H:%M}" for i, t in enumerate(conversion.touches)]
    traces = [
        {
            "type": "bar",
            "name": str(model),
            "x": labels,
            "y": [t.credit.get(model.pk, (0.0, 0))[0] for t in conversion.touches],
        }
        for model in models
    ]
    return figure(
        traces,
        title=title,
        height=280,
        barmode="group",
        yaxis={"title": {"text": "share of the conversion"}, "range": [0, 1]},
    )


def credit_per_touch(conversion, models):
    return to_div(credit_per_touch_spec(conversion, models))
