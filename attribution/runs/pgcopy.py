"""PostgreSQL binary COPY to and from numpy arrays, with no per-row Python.

Reading: a query whose columns are all bigint (NULLs coalesced away) streams out as fixed-width
binary rows that numpy views directly. Writing: rows are laid out as numpy structured arrays in
COPY's binary format; rows with the same NULL pattern share a layout, so NULLs cost nothing.
"""

import struct

import numpy as np

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_TRAILER = struct.pack("!h", -1)
_NUMERIC_POS, _NUMERIC_NEG = 0x0000, 0x4000
_SLICE = 100_000


def copy_out_int8(cursor, sql: str, params, names: list[str]) -> dict[str, np.ndarray]:
    """Run ``sql`` (every column a non-NULL bigint) and return its columns as int64 arrays."""
    buffer = bytearray()
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", params) as copy:
        for block in copy:
            buffer += block
    layout = [("n", ">i2")]
    for name in names:
        layout += [(f"{name}__len", ">i4"), (name, ">i8")]
    body = memoryview(buffer)[len(_HEADER): len(buffer) - len(_TRAILER)]
    rows = np.frombuffer(body, dtype=np.dtype(layout))
    return {name: rows[name].astype(np.int64) for name in names}


def copy_in(cursor, table: str, columns: list[tuple[str, str, np.ndarray, np.ndarray | None]]) -> int:
    """COPY rows into ``table``. columns: (name, type, values, null mask or None).

    Types: "int8", "float8", "numeric6" (int64 micro-units written as numeric with 6 decimals),
    "int8[]" and "float8[]" (values of shape (rows, k): one array of k numbers per row).
    """
    if not len(columns) or not len(columns[0][2]):
        return 0
    n = len(columns[0][2])
    nulls = [np.zeros(n, dtype=bool) if mask is None else mask for _, _, _, mask in columns]
    pattern = np.zeros(n, dtype=np.int64)
    for bit, mask in enumerate(nulls):
        pattern |= mask.astype(np.int64) << bit
    names = ", ".join(f'"{name}"' for name, *_ in columns)
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(_HEADER)
        for value in np.unique(pattern):
            rows = np.flatnonzero(pattern == value)
            is_null = [bool(value >> bit & 1) for bit in range(len(columns))]
            for start in range(0, len(rows), _SLICE):  # bounded memory: encode a slice at a time
                copy.write(_encode(columns, rows[start:start + _SLICE], is_null))
        copy.write(_TRAILER)
    return n


def _encode(columns, rows: np.ndarray, is_null: list[bool]) -> bytes:
    layout = [("n", ">i2")]
    for (name, kind, values, _), null in zip(columns, is_null, strict=True):
        layout.append((f"{name}__len", ">i4"))
        if not null:
            layout += _FIELD_LAYOUT[kind](name, values)
    out = np.zeros(len(rows), dtype=np.dtype(layout))
    out["n"] = len(columns)
    for (name, kind, values, _), null in zip(columns, is_null, strict=True):
        if null:
            out[f"{name}__len"] = -1
            continue
        out[f"{name}__len"] = _FIELD_SIZE[kind](values)
        _FIELD_FILL[kind](out, name, values[rows])
    return out.tobytes()


def _numeric_layout(name, _values):
    return [(f"{name}__{part}", ">i2") for part in ("ndigits", "weight", "sign", "dscale",
                                                      "d0", "d1", "d2", "d3", "d4")]


def _fill_numeric6(out, name, micros):
    """Base-10000 digits of |micros| / 10⁶: three integer groups, two fractional (up to 10¹² units)."""
    whole, frac = np.divmod(np.abs(micros), 1_000_000)
    digits = [whole // 100_000_000, whole // 10_000 % 10_000, whole % 10_000,
              frac // 100, frac % 100 * 100]
    out[f"{name}__ndigits"], out[f"{name}__weight"], out[f"{name}__dscale"] = 5, 2, 6
    out[f"{name}__sign"] = np.where(micros < 0, _NUMERIC_NEG, _NUMERIC_POS)
    for i, digit in enumerate(digits):
        out[f"{name}__d{i}"] = digit


def _fill_plain(out, name, values):
    out[name] = values


_ARRAY_HEADER = 20  # ndim, has-nulls flag, element type oid, length, lower bound
_ELEMENT = {"int8[]": (20, ">i8"), "float8[]": (701, ">f8")}  # pg_type oids


def _array_layout(kind):
    def layout(name, values):
        k = values.shape[1]
        return ([(f"{name}__{part}", ">i4") for part in ("ndim", "flags", "oid", "dim", "lbound")]
                + [(f"{name}__items", [("len", ">i4"), ("value", _ELEMENT[kind][1])], (k,))])
    return layout


def _fill_array(kind):
    def fill(out, name, values):
        out[f"{name}__ndim"], out[f"{name}__flags"] = 1, 0
        out[f"{name}__oid"], out[f"{name}__lbound"] = _ELEMENT[kind][0], 1
        out[f"{name}__dim"] = values.shape[1]
        out[f"{name}__items"]["len"] = 8
        out[f"{name}__items"]["value"] = values
    return fill


_FIELD_LAYOUT = {"int8": lambda name, _: [(name, ">i8")], "float8": lambda name, _: [(name, ">f8")],
                 "numeric6": _numeric_layout, "int8[]": _array_layout("int8[]"),
                 "float8[]": _array_layout("float8[]")}
_FIELD_SIZE = {"int8": lambda _: 8, "float8": lambda _: 8, "numeric6": lambda _: 18,
               "int8[]": lambda v: _ARRAY_HEADER + 12 * v.shape[1],
               "float8[]": lambda v: _ARRAY_HEADER + 12 * v.shape[1]}
_FIELD_FILL = {"int8": _fill_plain, "float8": _fill_plain, "numeric6": _fill_numeric6,
               "int8[]": _fill_array("int8[]"), "float8[]": _fill_array("float8[]")}
