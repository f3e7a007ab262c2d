"""Streaming a CSV export: detect a file we cannot read up front, then yield records one by one.

Memory stays flat in the file's size: one record at a time through ``csv.reader`` over a text
wrapper of the binary file. Whole-file problems raise ``FileRefused`` with what to fix.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .parsing import header_key
from .presets import REQUIRED, Preset

_SNIFF_BYTES = 64 * 1024
_BINARY_MAGIC = {b"PK\x03\x04": "a ZIP/XLSX workbook", b"%PDF": "a PDF",
                 b"\xd0\xcf\x11\xe0": "an XLS workbook"}
csv.field_size_limit(1024 * 1024)


class FileRefused(ValueError):
    """The whole file cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class Layout:
    """How a checked file is read: enough to read it again from its first byte, elsewhere."""

    encoding: str
    delimiter: str
    columns: tuple[tuple[str, int], ...]  # (our field, column index), in column order
    width: int


class CsvRecords:
    """Iterate ``(row_number, {field: text})`` over a CSV file; row 2 is the first data row."""

    def __init__(self, raw: BinaryIO, *, preset: Preset, encoding: str = "utf-8-sig"):
        self._raw = raw
        self.preset = preset
        head = raw.read(_SNIFF_BYTES)
        raw.seek(0)
        self.encoding = _check_head(head, encoding)
        self.delimiter = _delimiter(head.decode(self.encoding, errors="ignore"))
        self._open()
        header = self._read_header()
        self.header = header
        self.columns = _columns(header, preset)
        self.width = len(header)

    @classmethod
    def following(cls, raw: BinaryIO, layout: Layout) -> "CsvRecords":
        """Records of a file already checked (``layout``), read again from its first byte: the
        header row is skipped, not checked (the parsing process reads the file this way)."""
        records = cls.__new__(cls)
        records._raw, records.preset = raw, None
        records.encoding, records.delimiter = layout.encoding, layout.delimiter
        records._open()
        records.header = records._read_header()
        records.columns, records.width = list(layout.columns), layout.width
        return records

    def _open(self) -> None:
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, newline="")
        self._reader = csv.reader(self._text, delimiter=self.delimiter)
        self.row_number = 1

    @property
    def layout(self) -> Layout:
        return Layout(self.encoding, self.delimiter, tuple(self.columns), self.width)

    def rewound(self) -> BinaryIO:
        """The binary file at its first byte, for reading it again elsewhere (this reader is done)."""
        self._raw.seek(0)
        return self._raw

    @property
    def present(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.columns)

    def bytes_read(self) -> int:
        """How far into the file the reader is (for progress), from the binary file's position."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, str] | str]]:
        """Yield each record as fields, or as a message when the record itself is malformed."""
        columns, width = self.columns, self.width
        try:
            for record in self._reader:
                self.row_number += 1
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # blank lines carry no deal
                if len(record) != width:
                    yield self.row_number, f"expected {width} columns, found {len(record)}"
                    continue
                yield self.row_number, {name: record[index] for name, index in columns}
        except UnicodeDecodeError as exc:
            raise FileRefused(_encoding_message(self.encoding, self.row_number + 1)) from exc
        except csv.Error as exc:
            raise FileRefused(f"not a readable CSV file near row {self.row_number + 1}: {exc}") from exc

    def _read_header(self) -> list[str]:
        try:
            header = next(self._reader, None)
        except UnicodeDecodeError as exc:
            raise FileRefused(_encoding_message(self.encoding, 1)) from exc
        except csv.Error as exc:
            raise FileRefused(f"not a readable CSV file: {exc}") from exc
        if not header or not any(h.strip() for h in header):
            raise FileRefused("the file is empty: expected a header row and at least one deal")
        return header


def _check_head(head: bytes, encoding: str) -> str:
    if not head.strip():
        raise FileRefused("the file is empty: expected a header row and at least one deal")
    for magic, kind in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise FileRefused(f"this is {kind}, not a CSV file: export or save it as CSV")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise FileRefused("this is a binary file, not a CSV file: export or save it as CSV")
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise FileRefused(f"unknown encoding {encoding!r}") from exc
    return encoding


def _delimiter(sample: str) -> str:
    """Comma, or semicolon/tab when the header uses those (European Excel saves with ';')."""
    first_line = sample.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _columns(header: list[str], preset: Preset) -> list[tuple[str, int]]:
    lookup = preset.header_lookup()
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = lookup.get(header_key(title))
        if name and name not in found:
            found[name] = index
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        expected = "; ".join(f"{f}: {' or '.join(repr(a) for a in preset.aliases.get(f, ()))}"
                             for f in missing)
        raise FileRefused(f"no column for {', '.join(missing)} (expected {expected}). "
                          f"Is this a {preset.key} export? Otherwise use a saved column mapping.")
    return sorted(found.items(), key=lambda item: item[1])


def _encoding_message(encoding: str, row: int) -> str:
    return (f"the file is not valid {encoding.replace('-sig', '').upper()} (first bad byte near "
            f"row {row}): export it again as UTF-8, or choose its encoding (e.g. cp1252) in the options")
