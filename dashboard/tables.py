"""Tables shown on pages and exported as CSV: one definition serves both."""

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from io import StringIO


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # per row: where its first cell links to
    note: str = ""

    def display_rows(self):
        """Rows formatted for HTML, each with its link (or None)."""
        links = self.links or [None] * len(self.rows)
        return [
            (link, [(fmt(v), is_text(v)) for v in row]) for link, row in zip(links, self.rows, strict=True)
        ]

    def to_csv(self) -> str:
        out = StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        writer.writerows([["" if v is None else v for v in row] for row in self.rows])
        return out.getvalue()


def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def is_text(value) -> bool:
    """Words align left, numbers (and percentages) right."""
    return isinstance(value, str) and not value.endswith("%")


def pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.1%}"
