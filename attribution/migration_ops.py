"""Migration operations that keep big tables available while their indexes change.

``AddIndexOnline`` and ``RemoveIndexOnline`` are Django's ``AddIndex`` and ``RemoveIndex``, run
``CONCURRENTLY`` on PostgreSQL (a migration using them must be ``atomic = False``).

``ReorderUniqueConstraint`` gives a unique constraint a new column order (the same uniqueness).
On PostgreSQL the new index is built ``CONCURRENTLY`` — reads and writes go on meanwhile — and
swapped in under the constraint's name by one short ``ALTER TABLE``; a migration using it must be
``atomic = False``. Elsewhere (SQLite, the embedded default) the constraint is dropped and added.
"""

from django.db import models
from django.db.migrations.operations import AddIndex, RemoveIndex
from django.db.migrations.operations.base import Operation


class ReorderUniqueConstraint(Operation):
    reversible = True

    def __init__(self, model_name: str, name: str, old_fields: tuple[str, ...], new_fields: tuple[str, ...]):
        self.model_name, self.name = model_name, name
        self.old_fields, self.new_fields = tuple(old_fields), tuple(new_fields)

    def deconstruct(self):
        return (self.__class__.__qualname__, [],
                {"model_name": self.model_name, "name": self.name, "old_fields": self.old_fields,
                 "new_fields": self.new_fields})

    def state_forwards(self, app_label, state):
        state.remove_constraint(app_label, self.model_name.lower(), self.name)
        state.add_constraint(app_label, self.model_name.lower(),
                             models.UniqueConstraint(fields=self.new_fields, name=self.name))

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._swap(app_label, schema_editor, to_state, self.old_fields, self.new_fields)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._swap(app_label, schema_editor, to_state, self.new_fields, self.old_fields)

    def _swap(self, app_label, schema_editor, to_state, before, after) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)  # carries the ``after`` constraint
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            # SQLite drops a constraint by rebuilding the table from ``model``: the new one with it.
            schema_editor.remove_constraint(model, models.UniqueConstraint(fields=before, name=self.name))
            return
        if vendor != "postgresql":
            schema_editor.remove_constraint(model, models.UniqueConstraint(fields=before, name=self.name))
            schema_editor.add_constraint(model, models.UniqueConstraint(fields=after, name=self.name))
            return
        quote = schema_editor.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in after)
        building = quote(f"{self.name}_new")
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building}")  # left by a failed build
        schema_editor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {building} ON {table} ({columns})")
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(self.name)}, "
                              f"ADD CONSTRAINT {quote(self.name)} UNIQUE USING INDEX {building}")

    def describe(self):
        return f"Reorder unique constraint {self.name} on {self.model_name} to ({', '.join(self.new_fields)})"

    @property
    def migration_name_fragment(self):
        return f"reorder_{self.name.lower()}"


class AddIndexOnline(AddIndex):
    """``AddIndex``, built ``CONCURRENTLY`` on PostgreSQL (the migration must be ``atomic = False``)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not _online(self, schema_editor, model):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        _index_add(schema_editor, model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not _online(self, schema_editor, model):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        schema_editor.remove_index(model, self.index, concurrently=True)


class RemoveIndexOnline(RemoveIndex):
    """``RemoveIndex``, dropped ``CONCURRENTLY`` on PostgreSQL (the migration must be ``atomic = False``)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not _online(self, schema_editor, model):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        schema_editor.remove_index(model, index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not _online(self, schema_editor, model):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        _index_add(schema_editor, model, to_state.models[app_label, self.model_name_lower]
                   .get_index_by_name(self.name))


def _online(operation, schema_editor, model) -> bool:
    return (schema_editor.connection.vendor == "postgresql"
            and operation.allow_migrate_model(schema_editor.connection.alias, model))


def _index_add(schema_editor, model, index) -> None:
    # A build that failed half-way leaves an invalid index of that name behind.
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(index.name)}")
    schema_editor.add_index(model, index, concurrently=True)
