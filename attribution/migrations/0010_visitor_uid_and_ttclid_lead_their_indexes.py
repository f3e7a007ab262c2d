from django.db import migrations, models

from attribution.migration_ops import AddIndexOnline, RemoveIndexOnline, ReorderUniqueConstraint


class Migration(migrations.Migration):
    """A batch of deals looks visitors up by uid and clicks by ttclid: both indexes now lead with
    the key, so each value is one probe. Led by the workspace, PostgreSQL read the whole
    workspace's visitors (and touchpoints, through touch_ws_time) whenever it took the table for
    small (never analyzed), filtering the keys."""

    dependencies = [
        ('attribution', '0009_contact_keys_lead_their_indexes'),
    ]

    # Built and dropped CONCURRENTLY on PostgreSQL: the tables stay readable and writable meanwhile,
    # and the new index exists before the old one goes.
    atomic = False

    operations = [
        ReorderUniqueConstraint(model_name='visitor', name='visitor_unique_uid',
                                old_fields=('workspace', 'uid'), new_fields=('uid', 'workspace')),
        AddIndexOnline(model_name='touchpoint',
                       index=models.Index(condition=models.Q(('ttclid', ''), _negated=True),
                                          fields=['ttclid', 'workspace'], name='touch_ttclid')),
        RemoveIndexOnline(model_name='touchpoint', name='touch_ws_ttclid'),
    ]
