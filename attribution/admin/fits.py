"""Admin: a run's fitted data-driven models, as readable tables (effects, transitions, coalitions)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from attribution.models import AttributionModelFit

_SHOWN_ROWS = 25


def _table(headers: list[str], rows) -> str:
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join("", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((c,) for c in row)),)
                                               for row in rows))
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


class AttributionModelFitInline(admin.StackedInline):
    model = AttributionModelFit
    fields = ["model_config", "status", "message", "journeys", "converting", "conversion_probability",
              "channel_table", "detail_table"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Channels")
    def channel_table(self, obj):
        return _table(["Channel", "Removal effect / Shapley value", "Share of credit"],
                      ((r["channel"], f"{r['effect']:.4f}", f"{r['share']:.1%}") for r in obj.channels))

    @admin.display(description="Transitions / coalitions (largest first)")
    def detail_table(self, obj):
        rows = obj.detail[:_SHOWN_ROWS]
        if rows and "from" in rows[0]:
            return _table(["From", "To", "Count", "Probability"],
                          ((r["from"], r["to"], r["count"], f"{r['probability']:.3f}") for r in rows))
        return _table(["Channels", "Journeys", "Conversions", "Revenue", "Worth"],
                      ((r["channels"], r["journeys"], r["conversions"], f"{r['revenue']:.2f}",
                        f"{r['worth']:.4f}") for r in rows))
