"""The stages a workspace's deals are in: known to every import and webhook request, found by
skipping through the (workspace, stage) index, not by reading every deal."""

import json

import pytest
from django.db import connection

from attribution.bulk import models_insert
from crm_sync.importing.services import stored_stages
from crm_sync.models import Deal
from tests.factories import DealFactory, WorkspaceFactory

STAGES = ["Closed Won", "appointmentscheduled", "closedlost", "contractsent"]


def _deals(workspace, count: int) -> None:
    deal = DealFactory.build(workspace=workspace)
    template = {f.attname: getattr(deal, f.attname) for f in Deal._meta.concrete_fields if f.attname != "id"}
    template["updated_at"] = template["imported_at"]
    models_insert(Deal, [{**template, "crm_id": f"D{i}", "stage": STAGES[i % len(STAGES)]}
                         for i in range(count)])


@pytest.mark.django_db
def test_each_stage_once_in_order_and_only_the_workspaces_own(workspace):
    other = WorkspaceFactory()
    _deals(workspace, 40)
    DealFactory(workspace=other, stage="Negotiation")

    assert stored_stages(workspace_id=workspace.pk) == sorted(STAGES)
    assert stored_stages(workspace_id=other.pk) == ["Negotiation"]
    assert stored_stages(workspace_id=WorkspaceFactory().pk) == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's EXPLAIN ANALYZE")
def test_it_reads_one_index_entry_per_stage_not_one_per_deal(workspace):
    _deals(workspace, 3000)
    with connection.execute_wrapper(_explained):
        stages = stored_stages(workspace_id=workspace.pk)

    assert stages == sorted(STAGES)
    scans = [n for n in _nodes(_explained.plan) if n.get("Relation Name") == Deal._meta.db_table]
    assert scans and {n["Node Type"] for n in scans} <= {"Index Scan", "Index Only Scan"}
    assert {n["Index Name"] for n in scans} == {"deal_ws_stage"}
    assert sum(n["Actual Rows"] * n["Actual Loops"] for n in scans) <= len(STAGES) + 1


def _explained(execute, sql, params, many, context):
    """Run the statement under EXPLAIN ANALYZE first (the EXPLAIN comes back through here)."""
    if not sql.startswith("EXPLAIN"):
        cursor = context["cursor"]
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        _explained.plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    return execute(sql, params, many, context)


def _nodes(plan: dict) -> list[dict]:
    nodes, pending = [], [plan]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes
