"""``field__anyof=values``: an ``IN`` for thousands of values, sent as one parameter on PostgreSQL.

A 2,000-row batch looks up 2,000 crm ids, hashes, visitor ids. As ``IN (%s, …)`` every value is a
placeholder that Django builds and psycopg quotes one by one; here the values travel as one
unit-separator-joined string that PostgreSQL splits (``= ANY(string_to_array(%s, chr(31))::type[])``).
Other databases, and values containing the separator, get the plain ``IN``.
"""

from django.db.models import BigAutoField, CharField, Lookup, UUIDField
from django.db.models.lookups import In

_SEPARATOR = "\x1f"


class AnyOf(Lookup):
    lookup_name = "anyof"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        values = [str(v) for v in self.rhs]
        if connection.vendor != "postgresql" or any(_SEPARATOR in v for v in values):
            return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)
        if not values:
            return "FALSE", []
        lhs, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection).split("(")[0]
        return (f"{lhs} = ANY(string_to_array(%s, chr(31))::{db_type}[])",
                [*lhs_params, _SEPARATOR.join(values)])


for field_class in (CharField, UUIDField, BigAutoField):
    field_class.register_lookup(AnyOf)
