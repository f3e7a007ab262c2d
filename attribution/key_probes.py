"""Lookups of thousands of keys per batch, planned as index probes whatever the statistics say.

The CRM import and the collector's drain look up a batch's keys (deal CRM ids, conversion event
ids) in tables they are themselves filling, often in the same transaction. PostgreSQL's statistics
do not count those rows (never analyzed, or analyzed when the table was small), so the planner
takes the workspace for tiny and reads all of it through an index led by the workspace, filtering
the keys — once per batch, in a table that grows with every batch. A 1M-row import spent most of
its database time there (benchmarks/README.md, Deal import).

A lookup is made plan-proof in two parts: its workspace condition is written by ``in_workspace``
(``workspace_id + 0``), so that the only usable index is the unique one led by the key; and it
runs inside ``index_probes()``, where sequential and bitmap scans are costed out (a query with no
usable index still runs) and JIT is off (a probe of thousands of keys would pay to compile it).
"""

from contextlib import contextmanager

from django.db import connections
from django.db.models import ExpressionWrapper, F, IntegerField, QuerySet, Value

_PROBE_SETTINGS = ("enable_seqscan", "enable_bitmapscan", "jit")
_SET_OFF = "SELECT " + ", ".join(f"current_setting('{name}'), set_config('{name}', 'off', true)"
                                 for name in _PROBE_SETTINGS)
_RESTORE = "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in _PROBE_SETTINGS)


@contextmanager
def index_probes(using: str = "default"):
    """Inside a transaction on PostgreSQL: plan the enclosed lookups as index probes.

    The settings are transaction-local and restored on exit; should a lookup fail, they stay off
    until the transaction (or the savepoint it rolls back to) ends. A block inside another costs
    nothing (the outer one has set them: no round trip). Other databases: no-op.
    """
    connection = connections[using]
    if (connection.vendor != "postgresql" or not connection.in_atomic_block
            or getattr(connection, "_index_probes_on", False)):
        yield
        return
    connection._index_probes_on = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(_SET_OFF)
            before = cursor.fetchone()[::2]
        yield
        with connection.cursor() as cursor:
            cursor.execute(_RESTORE, [item for pair in zip(_PROBE_SETTINGS, before, strict=True)
                                      for item in pair])
    finally:
        connection._index_probes_on = False


def in_workspace(queryset: QuerySet, workspace_id: int) -> QuerySet:
    """``queryset.filter(workspace_id=workspace_id)``, written so that no index can serve it.

    Filter the result by the key, and the unique index led by that key is the only one usable.
    """
    return queryset.alias(workspace_key=_unindexed("workspace_id")).filter(workspace_key=workspace_id)


def _unindexed(column: str) -> ExpressionWrapper:
    """``column + 0``: the same integer, which no index on ``column`` can serve."""
    return ExpressionWrapper(F(column) + Value(0), output_field=IntegerField())
