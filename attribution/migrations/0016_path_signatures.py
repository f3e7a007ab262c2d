"""Paths stored once per workspace (``PathSignature``) and referenced by key from the per-conversion
rows and the path sums, instead of two text columns per conversion and four per sum row.

Existing rows keep their paths: each distinct campaign path becomes a signature (its other forms
follow from it), then every row gets its signature's key, then the text columns go.
"""

import django.db.models.deletion
from django.db import migrations, models

from attribution.engine.paths import STEP, collapse, signature_keys

BATCH = 5_000
TABLES = ("attribution_conversionpath", "attribution_pathrollup")


def _forms(campaign_path: str) -> dict[str, str]:
    channel = STEP.join(step.split(":", 1)[0] for step in campaign_path.split(STEP))
    return {"campaign_path": campaign_path, "channel_path": channel,
            "campaign_path_collapsed": collapse(campaign_path), "channel_path_collapsed": collapse(channel)}


def signatures_from_texts(apps, schema_editor):
    signature = apps.get_model("attribution", "PathSignature")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(f"SELECT DISTINCT workspace_id, campaign_path FROM {t}"
                                      f" WHERE campaign_path <> ''" for t in TABLES))
        while rows := cursor.fetchmany(BATCH):
            keys = [int(signature_keys(ws, [path])[0]) for ws, path in rows]
            signature.objects.bulk_create(
                [signature(key=key, workspace_id=ws, **_forms(path)) for key, (ws, path) in zip(keys, rows)],
                ignore_conflicts=True)
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"UPDATE {table} t SET path_id = s.key FROM attribution_pathsignature s"
                               f" WHERE s.workspace_id = t.workspace_id AND s.campaign_path = t.campaign_path"
                               f" AND t.campaign_path <> ''")
            else:
                cursor.execute(f"UPDATE {table} SET path_id = (SELECT s.key FROM attribution_pathsignature s"
                               f" WHERE s.workspace_id = {table}.workspace_id"
                               f" AND s.campaign_path = {table}.campaign_path) WHERE campaign_path <> ''")


def texts_from_signatures(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table, forms in ((TABLES[0], ("campaign_path", "channel_path")),
                             (TABLES[1], ("campaign_path", "channel_path", "campaign_path_collapsed",
                                          "channel_path_collapsed"))):
            sets = ", ".join(f"{f} = (SELECT s.{f} FROM attribution_pathsignature s WHERE s.key = {table}.path_id)"
                             for f in forms)
            cursor.execute(f"UPDATE {table} SET {sets} WHERE path_id IS NOT NULL")


def _path_key(help_text):
    return models.ForeignKey(blank=True, db_constraint=False, db_index=False, help_text=help_text, null=True,
                             on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                             to="attribution.pathsignature")


class Migration(migrations.Migration):

    dependencies = [
        ("attribution", "0015_tiktok_integration_names_and_test_event"),
    ]

    operations = [
        migrations.CreateModel(
            name="PathSignature",
            fields=[
                ("key", models.BigIntegerField(primary_key=True, serialize=False)),
                ("campaign_path", models.TextField()),
                ("channel_path", models.TextField()),
                ("campaign_path_collapsed", models.TextField()),
                ("channel_path_collapsed", models.TextField()),
                ("workspace", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                                related_name="+", to="attribution.workspace")),
            ],
        ),
        migrations.AddField(
            model_name="conversionpath", name="path",
            field=_path_key("The eligible touches in time order; empty when unattributed."),
        ),
        migrations.AddField(
            model_name="pathrollup", name="path", field=_path_key("Empty for unattributed conversions."),
        ),
        migrations.RunPython(signatures_from_texts, texts_from_signatures),
        migrations.RemoveField(model_name="conversionpath", name="campaign_path"),
        migrations.RemoveField(model_name="conversionpath", name="channel_path"),
        migrations.RemoveField(model_name="pathrollup", name="campaign_path"),
        migrations.RemoveField(model_name="pathrollup", name="campaign_path_collapsed"),
        migrations.RemoveField(model_name="pathrollup", name="channel_path"),
        migrations.RemoveField(model_name="pathrollup", name="channel_path_collapsed"),
    ]
