"""Drop the single-column indexes of Deal.workspace and DealStageChange.deal.

Each is the leading column of another index (the unique (workspace, crm_id) constraint,
stagechange_deal_time (deal, changed_at)), which serves the same lookups and cascades; the extra
index only costs every imported row one more index insert. Only the index goes: Django's
AlterField would also drop and re-add the foreign key, re-validating the whole table.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, column) whose single-column, non-unique index goes.
REDUNDANT = (("crm_sync_deal", "workspace_id"), ("crm_sync_dealstagechange", "deal_id"))


def _single_column_indexes(schema_editor, table: str, column: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [name for name, info in constraints.items()
            if info["index"] and not info["unique"] and not info["primary_key"]
            and info["columns"] == [column]]


def drop_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column in REDUNDANT:
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def create_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column in REDUNDANT:
        if not _single_column_indexes(schema_editor, table, column):
            name = schema_editor._create_index_name(table, [column])
            schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")


class Migration(migrations.Migration):

    dependencies = [
        ('attribution', '0001_initial'),
        ('crm_sync', '0002_crm_imports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name='deal',
                    name='workspace',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='deals', to='attribution.workspace'),
                ),
                migrations.AlterField(
                    model_name='dealstagechange',
                    name='deal',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='stage_changes', to='crm_sync.deal'),
                ),
            ],
        ),
    ]
