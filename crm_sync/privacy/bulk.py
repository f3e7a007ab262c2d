"""Bulk erasure from a CSV of people: one row per person, columns named after the keys
(``email``, ``phone``, ``external_id``, ``visitor_id``, ``ttclid``, ``deal_id``; any subset).
Each person is erased in a transaction of their own, so a bad row is reported and skipped
without undoing the others."""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from attribution.models import Workspace

from .erasure import person_erase
from .keys import KEY_FIELDS, PersonKeyError, person_keys


class ErasureFileError(ValueError):
    """The file as a whole cannot be read; the message says what to fix."""


@dataclass
class BulkErasureResult:
    people: int = 0
    erased: int = 0  # people with at least one row found
    rows: int = 0
    outbox_cancelled: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def erasure_rows(file: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, {key: value})`` per person; refuses a file without any key column."""
    reader = csv.DictReader(file)
    header = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    columns = {key: header[key] for key in KEY_FIELDS if key in header}
    if not columns:
        raise ErasureFileError("The CSV needs a header with at least one of: "
                               + ", ".join(KEY_FIELDS) + ".")
    for row in reader:
        yield reader.line_num, {key: (row.get(name) or "").strip() for key, name in columns.items()}


def people_erase_from_csv(*, workspace: Workspace, file: TextIO, source: str = "csv",
                          requested_by=None, phone_region: str | None = None,
                          progress: Callable[[int], None] | None = None) -> BulkErasureResult:
    """Erase every person the file names; ``progress(1)`` after each row."""
    result = BulkErasureResult()
    for line, values in erasure_rows(file):
        result.people += 1
        try:
            keys = person_keys(**values, phone_region=phone_region)
        except PersonKeyError as exc:
            result.errors.append((line, str(exc)))
        else:
            log = person_erase(workspace=workspace, keys=keys, source=source,
                               requested_by=requested_by)
            result.erased += bool(log.rows_total)
            result.rows += log.rows_total
            result.outbox_cancelled += log.outbox_cancelled
        if progress:
            progress(1)
    return result
