"""A list of numbers in one column: a native array on PostgreSQL, JSON text on SQLite.

Used by attribution credits, which hold one value per model of their run side by side (and are
written by binary COPY as bigint[] / double precision[] on PostgreSQL).
"""

import json

from django.db import models


class NumberArrayField(models.Field):
    description = "List of numbers (bigint[] or double precision[] on PostgreSQL)"

    def __init__(self, *args, integer: bool = False, **kwargs):
        self.integer = integer
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.integer:
            kwargs["integer"] = True
        return name, path, args, kwargs

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "bigint[]" if self.integer else "double precision[]"
        return "text"

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        cast = int if self.integer else float
        values = [cast(v) for v in value]
        return values if connection.vendor == "postgresql" else json.dumps(values)
