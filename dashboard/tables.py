"""Tables shown on pages and exported as CSV: one definition serves both."""

import csv
from dataclasses import dataclass, field
from io import StringIO

from . import formatting
from .formatting import Money, display, is_text  # noqa: F401 (display/is_text: the cell formatters)


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # per row: where its first cell links to
    note: str = ""

    def display_rows(self):
        """Rows formatted for HTML, each with its link (or None); a cell is (text, is words, sort value
        for numbers or None)."""
        links = self.links or [None] * len(self.rows)
        return [
            (link, [(display(v), is_text(v), formatting.sort_value(v)) for v in row])
            for link, row in zip(links, self.rows, strict=True)
        ]

    def csv_columns(self) -> list[str]:
        """Column labels of the export: a money column names its currency (its cells are plain numbers)."""
        labels = list(self.columns)
        for i, label in enumerate(labels):
            currency = next((r[i].currency for r in self.rows if isinstance(r[i], Money)), "")
            labels[i] = formatting.money_label(label, currency)
        return labels

    def to_csv(self) -> str:
        out = StringIO()
        writer = csv.writer(out)
        writer.writerow(self.csv_columns())
        writer.writerows([[formatting.csv_value(v) for v in row] for row in self.rows])
        return out.getvalue()


def pct(value: float | None) -> formatting.Percent | None:
    """A share as a table cell: shown as a percentage, sorted and exported as its number."""
    return None if value is None else formatting.Percent(value)
