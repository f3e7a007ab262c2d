"""Journey figure: the touches before a conversion, and the credit each model gave each touch."""

import plotly.graph_objects as go

from dashboard.selectors.journeys import JourneyConversion

from . import base_layout, empty, to_div


def credit_per_touch(conversion: JourneyConversion, models: list) -> str:
    title = f"{conversion.event_name} {conversion.occurred_at:%Y-%m-%d %H:%M}: credit per touch"
    if not conversion.touches:
        return empty(title, "No touch before this conversion.")
    labels = [f"{i + 1}. {t.channel} {t.occurred_at:%m-%d %H:%M}" for i, t in enumerate(conversion.touches)]
    fig = go.Figure()
    for model in models:
        fig.add_bar(
            name=str(model), x=labels, y=[t.credit.get(model.pk, (0.0, 0))[0] for t in conversion.touches]
        )
    fig.update_layout(barmode="group", yaxis_title="share of the conversion", yaxis_range=[0, 1])
    return to_div(base_layout(fig, title=title, height=280))
