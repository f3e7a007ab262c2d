"""How credit moves between models: each model's credit per channel minus last click's."""

from dashboard.selectors.model_matrix import ModelMatrix

from . import empty_figure, figure, to_div

PALETTE = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#4b5563", "#65a30d"]


def credit_shift_spec(matrix: ModelMatrix) -> dict:
    title = "How credit moves: conversions each model gives a channel, minus last click"
    if matrix.baseline is None or len(matrix.models) < 2 or not matrix.channels:
        return empty_figure(title, "Configure two models or more to compare them.")
    title = f"How credit moves: conversions each model gives a channel, minus {matrix.baseline}"
    labels = [r.label for r in matrix.channels]
    traces = []
    for i, model in enumerate(m for m in matrix.models if m.pk != matrix.baseline.pk):
        shifts = [matrix.difference(r, model.pk).conversions for r in matrix.channels]
        traces.append(
            {
                "type": "bar",
                "name": str(model),
                "x": labels,
                "y": [round(s, 1) for s in shifts],
                "text": [f"{s:+.1f}" for s in shifts],  # direct labels: the sign reads without colour
                "textposition": "outside",
                "marker": {"color": PALETTE[i % len(PALETTE)]},
            }
        )
    return figure(
        traces,
        title=title,
        barmode="group",
        yaxis={"title": {"text": f"conversions vs {matrix.baseline}"}, "zeroline": True},
    )


def credit_shift(matrix: ModelMatrix) -> str:
    return to_div(credit_shift_spec(matrix))
